from django import forms
from django.test.html import parse_html

from portal.widgets import FastSelect

CHOICES = [("", "—"), ("22", "Côtes-d'Armor"), ("Ailleurs", [("99", "Né(e) à l'étranger <b>")])]


def test_it_renders_what_django_s_select_renders():
    fast = FastSelect(choices=CHOICES).render(
        "dep", "99", attrs={"id": "id_dep", "class": "form-select"}
    )
    plain = forms.Select(choices=CHOICES).render(
        "dep", "99", attrs={"id": "id_dep", "class": "form-select"}
    )
    assert parse_html(fast) == parse_html(plain)


def test_it_escapes_labels_and_marks_the_selected_option():
    html = FastSelect(choices=CHOICES).render("dep", "22")
    assert '<option value="22" selected>Côtes-d&#x27;Armor</option>' in html
    assert "Né(e) à l&#x27;étranger &lt;b&gt;" in html
    assert '<optgroup label="Ailleurs">' in html
