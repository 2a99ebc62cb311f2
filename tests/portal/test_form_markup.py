"""What the portal's forms say to browsers and assistive technologies, as crispy-bootstrap5
writes them with the portal's templates (templates/bootstrap5/): read from the parsed markup,
not from its literal text."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.template.loader import get_template
from django.test.html import parse_html
from django.utils import translation

from families.forms import ResponsableForm
from portal.editing import TrackEditsMixin
from tests.markup import parse

NASTY = '"><script>alert(1)</script>'


class AllKindsForm(forms.Form):
    name = forms.CharField(label="Nom", max_length=20, help_text="Comme sur la carte.")
    email = forms.EmailField(label="E-mail", required=False)
    born = forms.DateField(
        label="Naissance",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    count = forms.IntegerField(label="Nombre", required=False)
    town = forms.ChoiceField(
        label="Ville",
        required=False,
        choices=[("", "—"), ("a", "Ailleurs"), ("Bretagne", [("b", "B&B")])],
    )
    answer = forms.ChoiceField(
        label="Réponse",
        choices=[("y", "Oui"), ("n", "Non")],
        widget=forms.RadioSelect,
        help_text="Une seule réponse.",
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
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Rien <b>n'a</b> été enregistré.")


class TrackedForm(TrackEditsMixin, AllKindsForm):
    pass


def render(template: str, **context) -> str:
    return Template("{% load crispy_forms_tags %}" + template).render(Context(context))


def whole(form):
    return parse(render("{{ form|crispy }}", form=form))


def control(page, name: str):
    """The input (or select, textarea) a user fills in for field `name`."""
    return page.by_id(f"id_{name}")


def described_by(element) -> list[str]:
    return element.get("aria-describedby", "").split()


@pytest.fixture
def invalid():
    form = AllKindsForm(
        data={"name": "x" * 30, "email": "pas-un-mail", "count": "deux", "town": "zz"}
    )
    form.is_valid()
    return whole(form)


@pytest.mark.parametrize(
    ("name", "tag", "css"),
    [
        ("name", "input", "form-control"),
        ("email", "input", "form-control"),
        ("born", "input", "form-control"),
        ("count", "input", "form-control"),
        ("town", "select", "form-select"),
        ("comment", "textarea", "form-control"),
        ("upload", "input", "form-control"),
        ("agree", "input", "form-check-input"),
    ],
)
def test_each_field_has_a_label_for_its_control_and_its_bootstrap_class(name, tag, css):
    page = whole(AllKindsForm())
    widget = control(page, name)
    assert widget.tag == tag and css in widget.classes
    label = page.find("label", for_=f"id_{name}")
    assert label.text.rstrip("*") == str(AllKindsForm.base_fields[name].label)
    assert "is-invalid" not in widget.classes and "aria-invalid" not in widget.attrs


def test_widget_types_and_values():
    form = AllKindsForm(
        initial={"email": "a@b.fr", "born": "2015-03-02", "count": 3, "town": "b", "comment": "Hé"}
    )
    page = whole(form)
    assert control(page, "name").get("type") == "text"
    assert control(page, "email").attrs.items() >= {"type": "email", "value": "a@b.fr"}.items()
    assert control(page, "born").attrs.items() >= {"type": "date", "value": "2015-03-02"}.items()
    assert control(page, "count").attrs.items() >= {"type": "number", "value": "3"}.items()
    assert control(page, "upload").get("type") == "file"
    assert control(page, "agree").get("type") == "checkbox"
    assert control(page, "comment").text == "Hé"
    town = control(page, "town")
    options = town.find_all("option")
    assert [option.get("value") for option in options] == ["", "a", "b"]
    assert [option.text for option in options if "selected" in option.attrs] == ["B&B"]
    assert town.find("optgroup").get("label") == "Bretagne"


def test_required_fields_are_marked_for_sight_and_for_browsers():
    page = whole(AllKindsForm())
    for name in ("name", "agree"):
        label = page.find("label", for_=f"id_{name}")
        assert "requiredField" in label.classes
        assert [mark.text for mark in label.find_all("span")] == ["*"]
        assert "asteriskField" in label.find("span").classes
        assert "required" in control(page, name).attrs
    assert "*" not in page.find("label", for_="id_email").text
    assert "required" not in control(page, "email").attrs


def test_a_help_text_is_named_by_its_control():
    page = whole(AllKindsForm())
    for name in ("name", "agree", "upload"):
        help_text = page.by_id(f"id_{name}_helptext")
        assert "form-text" in help_text.classes
        assert described_by(control(page, name)) == [f"id_{name}_helptext"]
    assert page.by_id("id_name_helptext").text == "Comme sur la carte."


def test_an_error_is_under_its_field_and_named_by_it(invalid):
    name = control(invalid, "name")
    assert "is-invalid" in name.classes
    assert name.get("aria-invalid") == "true"
    assert described_by(name) == ["id_name_helptext", "id_name_error"]
    error = invalid.by_id("id_name_error")
    assert "invalid-feedback" in error.classes
    assert "20 caractères" in error.text
    block = invalid.by_id("div_id_name")
    assert error in block.find_all() and name in block.find_all()
    # The error comes before the help text.
    assert block.find_all().index(error) < block.find_all().index(invalid.by_id("id_name_helptext"))
    email = control(invalid, "email")
    assert email.get("aria-invalid") == "true"
    assert described_by(email) == ["id_email_error"]
    assert "Saisissez une adresse" in invalid.by_id("id_email_error").text
    town = control(invalid, "town")
    assert "is-invalid" in town.classes and town.get("aria-invalid") == "true"
    assert "aria-invalid" not in control(invalid, "comment").attrs


def test_the_errors_of_no_field_come_first_escaped(invalid):
    alert = invalid.children[0]
    assert {"alert", "alert-danger"} <= alert.classes
    items = alert.find_all("li")
    assert items[0].text == "Rien <b>n'a</b> été enregistré."  # as text, not markup
    # Then each field's errors, linked to the field (the error summary, issue 12 item 21).
    links = [item.find("a") for item in items[1:]]
    assert all(link.get("href").startswith("#id_") for link in links)


def test_a_file_input_in_error_is_invalid_and_named_by_its_error():
    form = AllKindsForm(data={}, files={"upload": SimpleUploadedFile("a.pdf", b"")})
    form.is_valid()
    page = whole(form)
    upload = control(page, "upload")
    assert "is-invalid" in upload.classes and upload.get("aria-invalid") == "true"
    assert described_by(upload) == ["id_upload_error", "id_upload_helptext"] or described_by(
        upload
    ) == ["id_upload_helptext", "id_upload_error"]
    assert page.by_id("id_upload_error").text


@pytest.mark.parametrize(("name", "kind"), [("answer", "radio"), ("days", "checkbox")])
def test_choices_are_a_fieldset_whose_legend_is_the_label(name, kind):
    page = whole(AllKindsForm())
    options = page.find_all("input", name=name)
    assert [option.get("type") for option in options] == [kind, kind]
    assert all("form-check-input" in option.classes for option in options)
    fieldset = options[0].parent
    while fieldset.tag != "fieldset":
        fieldset = fieldset.parent
    label = str(AllKindsForm.base_fields[name].label)
    assert fieldset.find("legend").text.rstrip("*") == label
    for number, option in enumerate(options):
        assert option.get("id") == f"id_{name}_{number}"
        assert page.find("label", for_=option.get("id")).text in {"Oui", "Non", "Lundi", "Mardi"}


def test_the_errors_and_help_of_radio_buttons_are_named_by_their_fieldset():
    form = AllKindsForm(data={})
    form.is_valid()
    page = whole(form)
    radios = page.find_all("input", name="answer")
    assert all("is-invalid" in radio.classes for radio in radios)
    fieldset = page.by_id("div_id_answer").find("fieldset")
    assert described_by(fieldset) == ["id_answer_helptext", "id_answer_error"]
    error = page.by_id("id_answer_error")
    assert "Ce champ est obligatoire" in error.text
    assert error in fieldset.find_all() and page.by_id("id_answer_helptext") in fieldset.find_all()
    # The message follows the last option.
    order = page.find_all()
    assert order.index(radios[-1]) < order.index(error)


def test_tracked_forms_keep_each_field_s_initial_value_radios_and_files_included():
    form = TrackedForm(
        initial={
            "name": "Léa",
            "answer": "n",
            "town": "a",
            "agree": True,
            "comment": "c",
            "days": ["2"],
        }
    )
    page = whole(form)
    initial = {
        element.get("name"): element.get("value")
        for element in page.find_all("input", type="hidden")
    }
    assert initial["initial-name"] == "Léa"
    assert initial["initial-answer"] == "n"
    assert initial["initial-town"] == "a"
    assert initial["initial-agree"] == "True"
    assert initial["initial-comment"] == "c"
    assert initial["initial-days"] == "2"
    assert "initial-upload" in initial
    assert page.by_id("initial-id_name").get("name") == "initial-name"


def test_a_posted_initial_value_is_written_back_as_posted():
    form = TrackedForm(data={"name": "Nouveau", "initial-name": "Ancien", "initial-answer": "y"})
    page = whole(form)
    assert page.by_id("initial-id_name").get("value") == "Ancien"
    assert page.by_id("initial-id_answer").get("value") == "y"
    assert control(page, "name").get("value") == "Nouveau"


def test_it_escapes_values_labels_choices_and_errors():
    class Nasty(forms.Form):
        text = forms.CharField(label=NASTY, initial=NASTY, help_text="Aide")
        note = forms.CharField(widget=forms.Textarea, initial=NASTY)
        pick = forms.ChoiceField(choices=[(NASTY, NASTY)], initial=NASTY)
        radio = forms.ChoiceField(choices=[(NASTY, NASTY)], widget=forms.RadioSelect)

    html = render("{{ form|crispy }}", form=Nasty())
    assert "<script>" not in html
    page = parse(html)
    assert control(page, "text").get("value") == NASTY
    assert page.find("label", for_="id_text").text.rstrip("*") == NASTY
    assert control(page, "note").text == NASTY
    assert control(page, "pick").find("option").get("value") == NASTY
    assert control(page, "pick").find("option").text == NASTY
    assert page.by_id("id_radio_0").get("value") == NASTY
    bound = Nasty(data={"text": "", "pick": NASTY})
    bound.add_error("text", NASTY)
    html = render("{{ form.text|as_crispy_field }}", form=bound)
    assert "<script>" not in html
    assert NASTY in parse(html).by_id("id_text_error").text


def test_the_common_widgets_are_written_as_django_writes_them():
    """templates/bootstrap5/field.html writes inputs, checkbox, textarea and select itself:
    the same element as Django's widget templates, with the Bootstrap class added."""
    form = TrackedForm(
        initial={"email": "a@b.fr", "town": "b", "agree": True, "comment": NASTY, "count": 1200}
    )
    page = parse(render("{{ form|crispy }}", form=form))
    classes = {"town": "form-select", "agree": "form-check-input"}
    for name in ("name", "email", "born", "count", "town", "agree", "comment"):
        bound = form[name]
        css = classes.get(name, "form-control")
        django = parse_html(bound.as_widget(attrs={"class": css}))
        ours_html = render(f"{{{{ form.{name}|as_crispy_field }}}}", form=form)
        ours = parse_html(ours_html)
        assert django in ours, name
        # Its hidden initial value: Django's, less the aria-describedby no one reads there.
        django_initial = parse(bound.as_hidden(only_initial=True)).children[0].attrs
        django_initial.pop("aria-describedby", None)
        assert parse(ours_html).by_id(f"initial-id_{name}").attrs == django_initial, name
    assert control(page, "count").get("value") == "1200"  # not localised as "1 200"


def test_other_widgets_keep_crispy_s_rendering_with_the_hidden_initial():
    class Other(TrackEditsMixin, forms.Form):
        day = forms.DateField(widget=forms.SelectDateWidget(years=[2026]))
        several = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], required=False)

    form = Other(initial={"day": "2026-03-02", "several": ["a", "b"]})
    page = parse(render("{{ form|crispy }}", form=form))
    selects = page.by_id("div_id_day").find_all("select")
    assert [select.get("name") for select in selects] == ["day_day", "day_month", "day_year"]
    assert all("form-control" in select.classes for select in selects)
    assert page.by_id("initial-id_day").get("value") == "2026-03-02"
    several = control(page, "several")
    assert "multiple" in several.attrs and "form-select" in several.classes
    initial = page.find_all("input", name="initial-several")
    assert [element.get("value") for element in initial] == ["a", "b"]


def test_a_form_with_a_layout_keeps_the_semantics_of_its_fields():
    from families.forms import FamilyForm

    page = parse(render("{% crispy form %}", form=FamilyForm()))
    legends = [legend.text for legend in page.find_all("legend")]
    assert legends == ["Adresse et téléphones", "Contacts de référence"]
    assert "form-control" in control(page, "postal_code").classes
    assert page.find("label", for_="id_reference_email").find("span").text == "*"
    assert described_by(control(page, "reference_email")) == ["id_reference_email_helptext"]
    assert page.by_id("initial-id_city").get("type") == "hidden"
    # Postal code and city share a row: columns that stack on a phone.
    row = page.by_id("div_id_postal_code").parent.parent
    assert "row" in row.classes
    assert "col-sm-4" in page.by_id("div_id_postal_code").parent.classes


def test_the_markup_follows_the_active_language():
    with translation.override("fr"):
        french = whole(ResponsableForm())
    with translation.override("en"):
        english = whole(ResponsableForm())
    assert french.find("label", for_="id_first_name").text == "Prénom*"
    assert english.find("label", for_="id_first_name").text == "First name*"
    assert control(french, "civility").find_all("option")[0].text == "— Non renseigné —"
    assert control(english, "civility").find_all("option")[0].text == "— Not specified —"
    assert "Madame" in control(french, "civility").text
    assert "Mrs" in control(english, "civility").text
    with translation.override("en"):
        form = AllKindsForm(data={})
        form.is_valid()
        assert "This field is required." in whole(form).by_id("id_name_error").text


FORM_TEMPLATES = [
    "accounts/login.html",
    "accounts/password_change.html",
    "accounts/password_reset_confirm.html",
    "accounts/password_reset_request.html",
    "billing/ledger.html",
    "families/detail.html",
    "portal/accessibility.html",
    "reenrolment/child_form.html",
    "reenrolment/request_form.html",
    "students/detail.html",
]


@pytest.mark.parametrize("name", FORM_TEMPLATES)
def test_every_portal_form_is_rendered_by_crispy(name):
    source = get_template(name).template.source
    assert "{% load" in source and "crispy_forms_tags" in source
    assert "|crispy" in source or "as_crispy_field" in source or "{% crispy " in source
