"""Steps shared by the browser journeys."""


def log_in(page, username: str, password: str) -> None:
    """Logs in through the login form, as a family does."""
    page.goto("/connexion/")
    page.get_by_label("Identifiant ou e-mail").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
