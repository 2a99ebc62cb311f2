"""The portal's form markup (`{% load portal_forms %}`: `bs_form`, `bs_field`) and the widgets
FastRenderer writes in Python."""

import re

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.template.loader import get_template
from django.utils import translation

from families.forms import ResponsableForm
from portal.editing import TrackEditsMixin
from portal.widgets import (
    INPUT_TEMPLATES,
    ChoicesReadOnce,
    FastRenderer,
    FastSelect,
    StaticChoices,
)
from students.models import Discipline
from tests.factories import DisciplineFactory

NASTY = '"><script>alert(1)</script>'


class AllKindsForm(forms.Form):
    name = forms.CharField(label="Nom", max_length=20, help_text="Comme sur la carte.")
    email = forms.EmailField(label="E-mail", required=False)
    phone = forms.CharField(
        label="Téléphone", required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    born = forms.DateField(
        label="Naissance",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    count = forms.IntegerField(label="Nombre", required=False)
    town = forms.ChoiceField(
        label="Ville", required=False, choices=[("", "—"), ("a", "Ailleurs"), ("b", "B&B")]
    )
    department = forms.ChoiceField(
        label="Département",
        required=False,
        choices=StaticChoices([("", "—"), ("22", "Côtes-d'Armor")]),
        widget=FastSelect,
    )
    answer = forms.ChoiceField(
        label="Réponse", choices=[("y", "Oui"), ("n", "Non")], widget=forms.RadioSelect
    )
    agree = forms.BooleanField(label="J'accepte", help_text="Obligatoire.")
    days = forms.MultipleChoiceField(
        label="Jours",
        required=False,
        choices=[("1", "Lundi"), ("2", "Mardi")],
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea)
    upload = forms.FileField(label="Fichier", required=False, help_text="PDF.")
    secret = forms.CharField(label="Mot de passe", required=False, widget=forms.PasswordInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Rien <b>n'a</b> été enregistré.")


class TrackedForm(TrackEditsMixin, forms.Form):
    name = forms.CharField(label="Nom")
    answer = forms.ChoiceField(
        label="Réponse", choices=[("y", "Oui"), ("n", "Non")], widget=forms.RadioSelect
    )


def render(template: str, **context) -> str:
    return Template("{% load portal_forms %}" + template).render(Context(context))


def block(html: str, name: str) -> str:
    """The markup of one field's block, up to the next field's."""
    return html.split(f'id="div_id_{name}"')[1].split('id="div_id_')[0]


@pytest.fixture
def invalid_form():
    form = AllKindsForm(
        data={"name": "x" * 30, "email": "pas-un-mail", "count": "deux", "town": "zz"}
    )
    form.is_valid()
    return form


def test_a_field_has_its_label_required_mark_and_help_text():
    html = render("{{ form.name|bs_field }}", form=AllKindsForm())
    assert html.startswith('<div id="div_id_name" class="mb-3">')
    assert (
        '<label for="id_name" class="form-label requiredField">Nom'
        '<span class="asteriskField">*</span></label>'
    ) in html
    assert '<div id="id_name_helptext" class="form-text">Comme sur la carte.</div>' in html
    assert 'aria-describedby="id_name_helptext"' in html
    assert 'class="form-control"' in html
    assert "required" in html
    assert "is-invalid" not in html and "aria-invalid" not in html


def test_an_error_is_under_its_field_linked_by_aria_describedby(invalid_form):
    html = render("{{ form|bs_form }}", form=invalid_form)
    name = block(html, "name")
    assert 'class="form-control is-invalid"' in name
    assert 'aria-invalid="true"' in name
    assert 'aria-describedby="id_name_helptext id_name_error"' in name
    assert (
        '<div id="id_name_error" class="invalid-feedback"><p id="error_1_id_name"><strong>' in name
    )
    # Errors come before the help text, as crispy-bootstrap5 wrote them.
    assert name.index("id_name_error") < name.index('id="id_name_helptext"')
    email = block(html, "email")
    assert 'aria-describedby="id_email_error"' in email
    assert "Saisissez une adresse" in email
    assert 'class="form-select is-invalid"' in block(html, "town")


def test_a_whole_form_lists_the_errors_of_no_field_first(invalid_form):
    html = render("{{ form|bs_form }}", form=invalid_form)
    assert html.startswith(
        '<div class="alert alert-block alert-danger"><ul class="m-0">'
        "<li>Rien &lt;b&gt;n&#x27;a&lt;/b&gt; été enregistré.</li></ul></div>"
    )
    assert html.count('<div id="div_id_') == 13  # every field but the hidden one
    assert '<input type="hidden" name="token" id="id_token">' in html


def test_it_renders_every_widget_kind_with_its_bootstrap_class():
    form = AllKindsForm(initial={"email": "a@b.fr", "born": "2015-03-02", "count": 3})
    html = render("{{ form|bs_form }}", form=form)
    assert 'type="email" name="email" value="a@b.fr"' in html
    assert 'type="tel" name="phone"' in html
    assert 'type="date" name="born" value="2015-03-02"' in html
    assert 'type="number" name="count" value="3"' in html
    assert '<select name="town" class="form-select" id="id_town">' in html
    assert '<select name="department" class="form-select" id="id_department">' in html
    assert '<textarea name="comment" cols="40" rows="10" class="form-control"' in html
    assert '<input type="password" name="secret" class="form-control" id="id_secret">' in html
    upload = block(html, "upload")
    assert '<input type="file" name="upload" class="form-control"' in upload
    assert 'aria-describedby="id_upload_helptext"' in upload
    agree = block(html, "agree")
    assert 'class="form-check"' in agree
    assert '<input type="checkbox" name="agree" class="form-check-input"' in agree
    assert '<label for="id_agree" class="form-check-label requiredField">J&#x27;accepte' in agree


@pytest.mark.parametrize(("name", "kind"), [("answer", "radio"), ("days", "checkbox")])
def test_choices_are_a_fieldset_with_one_form_check_per_option(name, kind):
    html = render(f"{{{{ form.{name}|bs_field }}}}", form=AllKindsForm())
    assert "<fieldset><legend class=" in html
    assert html.count('<div class="form-check">') == 2
    assert f'<input type="{kind}" class="form-check-input" name="{name}" value=' in html
    assert f'<label for="id_{name}_0" class="form-check-label">' in html


def test_the_errors_of_radio_buttons_are_announced_by_their_fieldset():
    form = AllKindsForm(data={})
    form.is_valid()
    html = render("{{ form.answer|bs_field }}", form=form)
    assert '<fieldset aria-describedby="id_answer_error">' in html
    assert html.count('class="form-check-input is-invalid"') == 2
    # The message follows the last option.
    assert html.index('id="id_answer_1"') < html.index('id="id_answer_error"')


def test_it_keeps_each_field_s_initial_value_for_tracked_forms():
    html = render("{{ form|bs_form }}", form=TrackedForm(initial={"name": "Léa", "answer": "n"}))
    assert '<input type="hidden" name="initial-name" value="Léa" id="initial-id_name">' in html
    assert '<input type="hidden" name="initial-answer" value="n" id="initial-id_answer">' in html


def test_a_choice_widget_s_own_class_joins_the_bootstrap_one():
    class Classy(forms.Form):
        answer = forms.ChoiceField(
            choices=[("y", "Oui"), ("n", "Non")], widget=forms.RadioSelect(attrs={"class": "x"})
        )

    html = render("{{ form.answer|bs_field }}", form=Classy())
    assert html.count('<input type="radio" class="form-check-input x" name="answer"') == 2
    assert all(tag.count("class=") == 1 for tag in re.findall(r"<input[^>]*>", html))


def test_a_tracked_file_field_keeps_its_initial_value_too():
    class TrackedUpload(TrackEditsMixin, forms.Form):
        upload = forms.FileField(label="Fichier", required=False)

    html = render("{{ form.upload|bs_field }}", form=TrackedUpload())
    assert '<input type="hidden" name="initial-upload" id="initial-id_upload">' in html


def test_it_escapes_values_labels_choices_and_errors():
    class Nasty(forms.Form):
        text = forms.CharField(label=NASTY, initial=NASTY)
        note = forms.CharField(widget=forms.Textarea, initial=NASTY)
        pick = forms.ChoiceField(choices=[(NASTY, NASTY)], initial=NASTY, widget=FastSelect)
        plain = forms.ChoiceField(choices=[(NASTY, NASTY)], initial=NASTY)
        radio = forms.ChoiceField(choices=[(NASTY, NASTY)], widget=forms.RadioSelect)

    html = render("{{ form|bs_form }}", form=Nasty())
    assert "<script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;<span" in html  # the label
    bound = Nasty(data={"text": "", "pick": NASTY})
    bound.add_error("text", NASTY)
    assert "<script>" not in render("{{ form.text|bs_field }}", form=bound)


WIDGETS = [
    forms.TextInput(attrs={"maxlength": 5, "autofocus": True, "placeholder": NASTY}),
    forms.EmailInput(),
    forms.NumberInput(),
    forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.CheckboxInput(),
    forms.Textarea(attrs={"rows": 3}),
    forms.Select(choices=[("", "—"), ("a", NASTY), ("Groupe", [("b", "B"), ("c", "C")])]),
    forms.SelectMultiple(choices=[("a", "A"), ("b", "B")]),
    forms.FileInput(),
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda widget: type(widget).__name__)
@pytest.mark.parametrize("value", [None, "", "a", NASTY, True, 12])
def test_fast_widgets_write_exactly_what_django_s_templates_write(widget, value):
    attrs = {"id": "id_x", "class": "form-control", "required": True, "aria-invalid": "true"}
    fast = widget.render("x", value, attrs=attrs, renderer=FastRenderer())
    django = widget.render("x", value, attrs=attrs, renderer=DjangoTemplates())
    assert fast == django


@pytest.mark.parametrize("template_name", INPUT_TEMPLATES)
def test_the_input_templates_written_in_python_are_still_plain_inputs(template_name):
    engine = DjangoTemplates().engine
    source = engine.get_template(template_name).template.source.strip()
    assert source == '{% include "django/forms/widgets/input.html" %}'


def test_other_widgets_are_left_to_django_s_templates():
    widget = forms.ClearableFileInput()
    upload = SimpleUploadedFile("a.pdf", b"%PDF")
    upload.url = "/media/a.pdf"
    assert widget.render("f", upload, renderer=FastRenderer()) == widget.render(
        "f", upload, renderer=DjangoTemplates()
    )


def test_static_choices_are_shared_by_every_form_instance():
    first, second = AllKindsForm(), AllKindsForm()
    assert first.fields["department"].choices is second.fields["department"].choices
    assert first.fields["department"].widget.choices is second.fields["department"].widget.choices


def test_the_portal_layout_loads_the_forms_library():
    # Every form template loads it rather than crispy's.
    for name in ["families/detail.html", "students/detail.html", "accounts/login.html"]:
        assert "portal_forms" in get_template(name).template.source


def test_choices_read_once_query_a_model_list_once_for_several_fields(
    db, django_assert_num_queries
):
    DisciplineFactory(name="Piano")
    DisciplineFactory(name="Violon")

    class Wishes(forms.Form):
        first = forms.ModelChoiceField(queryset=Discipline.objects.order_by("name"))
        second = forms.ModelChoiceField(queryset=Discipline.objects.order_by("name"))

    form = Wishes()
    shared = ChoicesReadOnce(form.fields["first"].choices)
    form.fields["first"].choices = form.fields["second"].choices = shared
    with django_assert_num_queries(1):
        html = render("{{ form|bs_form }}", form=form)
    assert html.count(">Piano</option>") == 2


def test_labels_help_texts_and_cached_options_follow_the_active_language():
    for _ in range(2):  # the second time from the caches
        with translation.override("fr"):
            french = render("{{ form|bs_form }}", form=ResponsableForm())
        with translation.override("en"):
            english = render("{{ form|bs_form }}", form=ResponsableForm())
        assert ">Prénom<span" in french and ">First name<span" in english
        assert ">— Non renseigné —</option>" in french
        assert ">— Not specified —</option>" in english
        assert ">Madame</option>" in french and ">Mrs</option>" in english
