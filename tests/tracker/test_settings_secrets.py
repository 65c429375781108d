"""Settings that hold a secret never show it when printed: a repr lands in logs, tracebacks with locals
(pytest, Sentry) and a debugger's window. The password and the database URL's password read '***'."""

import pytest

from tracker.alerts.settings import smtp_settings
from tracker.config import load_settings

SECRET = "hunter2-Sm7p"


def test_smtp_settings_hide_the_password_in_repr_and_str() -> None:
    smtp = smtp_settings(env={"SMTP_HOST": "mail.chamber.example", "SMTP_USER": "alerts",
                              "SMTP_PASSWORD": SECRET}, doc={})
    assert smtp.password == SECRET  # still there for the login
    for shown in (repr(smtp), str(smtp), f"{smtp}", f"{smtp!r}"):
        assert SECRET not in shown
        assert "password='***'" in shown and "host='mail.chamber.example'" in shown and "user='alerts'" in shown
    assert "password=None" in repr(smtp_settings(env={"SMTP_HOST": "mail.chamber.example"}, doc={}))


def test_the_settings_hide_the_database_password_and_the_files_secrets(tmp_path: pytest.TempPathFactory) -> None:
    toml = tmp_path / "tracker.toml"  # type: ignore[operator]
    toml.write_text(f'[smtp]\nhost = "mail.chamber.example"\npassword = "{SECRET}"\n'
                    f'[sources.congress]\napi_key_env = "CONGRESS_API_KEY"\n')
    settings = load_settings(env={"TRACKER_CONFIG": str(toml),
                                  "DATABASE_URL": f"postgresql://tracker:{SECRET}@db.chamber.example:5432/tracker"})
    assert SECRET in settings.database_url and settings.file["smtp"]["password"] == SECRET  # still usable
    shown = repr(settings)
    assert SECRET not in shown and SECRET not in str(settings)
    assert "tracker:***@db.chamber.example:5432/tracker" in shown
    assert "'password': '***'" in shown and "'api_key_env': 'CONGRESS_API_KEY'" in shown  # a variable's name, kept
