"""Issue 14: staff issue drafts with the action "Émettre"; the run's page follows the background
tasks without being reloaded (its script polls the progress), then shows the result."""

import re

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from billing import runs
from billing.models import IssueRun
from tests.billing.factories import draft_invoice
from tests.browser.helpers import log_in
from tests.browser.test_staff_two_factor_journey import current_code
from tests.factories import PASSWORD, FamilyFactory, ResponsableFactory, StaffFactory


def test_the_run_page_follows_the_background_tasks_without_reload(page, settings):
    # The tasks are queued and run by this test, one at a time, as a worker would.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    staff = StaffFactory(username="secretariat")
    TOTPDevice.objects.create(user=staff, name="téléphone", confirmed=True)
    family = FamilyFactory()
    ResponsableFactory(family=family)
    for _ in range(3):
        draft_invoice(family, "10.00")
    errors = []
    # No script error, no refused script or request (CSP), no failed poll; the browser's own
    # /favicon.ico request (404 under the admin) is not the page's.
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Failed to load resource" not in message.text
            and errors.append(message.text)
        ),
    )
    page.on("response", lambda response: response.status >= 400 and errors.append(response.url))

    log_in(page, "secretariat", PASSWORD)
    page.get_by_label("Code de vérification").fill(current_code(staff))
    page.get_by_role("button", name="Valider").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.goto("/admin/billing/invoice/")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("issue_selected")
    page.get_by_role("button", name="Envoyer").click()

    expect(page.get_by_text("lancée : les brouillons sont émis en arrière-plan.")).to_be_visible()
    bar = page.locator("#issue-run-bar")
    expect(bar).to_have_attribute("value", "0")
    page.evaluate("window.notReloaded = true")

    run = IssueRun.objects.get()
    first, *others = run.items.order_by("pk")
    runs.issue_item(first.pk)
    expect(bar).to_have_attribute("value", "1", timeout=10_000)
    expect(page.locator('[data-field="issued"]')).to_have_text("1")
    assert page.evaluate("window.notReloaded") is True

    for item in others:
        runs.issue_item(item.pk)
    # Over: the page reloads itself once, showing the final state.
    expect(page.get_by_text("Émission terminée.")).to_be_visible(timeout=10_000)
    expect(bar).to_have_attribute("value", "3")
    assert page.evaluate("window.notReloaded") is None
    assert page.get_by_role("button", name="Reprendre").count() == 0
    assert errors == []
