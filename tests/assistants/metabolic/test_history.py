"""Saved 검진 결과 분류 (metabolic.store_history): kept only as ciphertext, read and deleted
by its counsellor and admins only, refused when the setting is off, a wrong key a clear
error that loses nothing, and an audit log that says only which number, what and by whom."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.services.accounts import Principal
from api.services.container import Services
from assistants.metabolic.history import AssessmentHistory, HistoryKeyError
from rag.config import load_settings
from rag.config.settings import MetabolicSettings
from rag.errors import ConfigError
from tests.api.conftest import PASSWORD, build_services, login

from .conftest import man, survey

KEY = Fernet.generate_key().decode()
ASSESS = "/api/assistants/metabolic/assess"
HISTORY = "/api/assistants/metabolic/history"
SECRET_NAME = "홍길순비밀"
SECRET_ID = "비밀-ID-77"
SECRET_LABEL = "3층상담실-김복순"
SECRET_WAIST = 97.3
SECRET_TG = 187.6


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    svc = build_services(tmp_path_factory.mktemp("metabolic_history"),
                         metabolic={"store_history": True, "history_key": KEY})
    svc.accounts.create_user("park", PASSWORD, "staff")
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def app(services: Services):
    return create_app(services, start_background=False)


def _client(app, username: str) -> TestClient:
    client = TestClient(app)
    client.__enter__()
    login(client, username)
    return client


@pytest.fixture
def kim(app) -> Iterator[TestClient]:
    client = _client(app, "kim")
    yield client
    client.__exit__(None, None, None)


@pytest.fixture
def park(app) -> Iterator[TestClient]:
    client = _client(app, "park")
    yield client
    client.__exit__(None, None, None)


@pytest.fixture
def admin(app) -> Iterator[TestClient]:
    client = _client(app, "admin")
    yield client
    client.__exit__(None, None, None)


def secret_record(**values) -> dict:
    return man(id=SECRET_ID, name=SECRET_NAME, waist=SECRET_WAIST, tg=SECRET_TG, **values)


def save(client: TestClient, **body) -> list:
    reply = client.post(ASSESS, json={"records": secret_record(), "survey": survey(name=SECRET_NAME, patient_id=SECRET_ID),
                                      "save": True, "label": SECRET_LABEL, **body})
    assert reply.status_code == 200, reply.text
    return reply.json()["saved"]


def rows(services: Services) -> list[tuple]:
    with services.db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT * FROM metabolic_assessments ORDER BY id"))]


def database_bytes(services: Services) -> bytes:
    """The SQLite file and its write-ahead log, as the disk holds them."""
    path = Path(services.settings.database_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def test_a_saved_assessment_is_stored_as_ciphertext_only(kim: TestClient, services: Services):
    (number,) = save(kim)
    (row,) = [r for r in rows(services) if r[0] == number]
    table_text = json.dumps([list(map(str, r)) for r in rows(services)], ensure_ascii=False)
    on_disk = database_bytes(services)
    for secret in (SECRET_NAME, SECRET_ID, SECRET_LABEL, str(SECRET_WAIST), str(SECRET_TG), "건강주의군"):
        assert secret not in table_text
        assert secret.encode("utf-8") not in on_disk
    _, owner, _, label_ciphertext, payload_ciphertext = row
    assert owner == "kim"
    # What is there is the assessment, under the key.
    payload = json.loads(Fernet(KEY.encode()).decrypt(payload_ciphertext.encode()))
    assert payload["record"]["waist"] == SECRET_WAIST and payload["survey"]["survey"]["patient_name"] == SECRET_NAME
    assert payload["result"]["group"] == "건강주의군"
    assert json.loads(Fernet(KEY.encode()).decrypt(label_ciphertext.encode())) == SECRET_LABEL


def test_the_owner_lists_reads_and_deletes(kim: TestClient):
    (number,) = save(kim)
    listed = kim.get(HISTORY).json()
    assert listed["store_history"] is True and listed["retention_days"] == 365
    entry = next(e for e in listed["assessments"] if e["id"] == number)
    assert entry["label"] == SECRET_LABEL and entry["owner"] == "kim" and entry["created_at"]
    opened = kim.get(f"{HISTORY}/{number}")
    assert opened.status_code == 200
    assert opened.json()["record"]["name"] == SECRET_NAME
    assert opened.json()["result"]["risk_factors"]["waist"] is True
    assert kim.delete(f"{HISTORY}/{number}").json() == {"deleted": number}
    assert kim.get(f"{HISTORY}/{number}").status_code == 404
    assert number not in [e["id"] for e in kim.get(HISTORY).json()["assessments"]]


def test_another_counsellor_neither_sees_reads_nor_deletes_it(kim: TestClient, park: TestClient):
    (number,) = save(kim)
    assert number not in [e["id"] for e in park.get(HISTORY).json()["assessments"]]
    read = park.get(f"{HISTORY}/{number}")
    assert read.status_code == 404 and SECRET_NAME not in read.text
    assert park.delete(f"{HISTORY}/{number}").status_code == 404
    assert kim.get(f"{HISTORY}/{number}").status_code == 200  # still there


def test_an_admin_lists_reads_and_deletes_anyones(kim: TestClient, admin: TestClient):
    (number,) = save(kim)
    entry = next(e for e in admin.get(HISTORY).json()["assessments"] if e["id"] == number)
    # Listed by counsellor and date; the label is opened with the entry, which is audited.
    assert entry["owner"] == "kim" and entry["label"] is None
    assert admin.get(f"{HISTORY}/{number}").json()["label"] == SECRET_LABEL
    assert admin.delete(f"{HISTORY}/{number}").status_code == 200
    assert kim.get(f"{HISTORY}/{number}").status_code == 404


def test_a_batch_keeps_the_classified_records_only(kim: TestClient, services: Services):
    before = len(rows(services))
    reply = kim.post(ASSESS, json={"records": [man(id="A"), man(id="B", waist=0)], "save": True})
    assert reply.status_code == 200
    saved = reply.json()["saved"]
    assert saved[0] is not None and saved[1] is None
    assert len(rows(services)) == before + 1
    assert kim.get(f"{HISTORY}/{saved[0]}").json()["label"] == ""


def test_save_must_be_true_or_false_and_the_label_a_short_text(kim: TestClient, services: Services):
    before = rows(services)
    for body, field in (({"save": "yes"}, "save"), ({"save": True, "label": 7}, "label"),
                        ({"save": True, "label": "가" * 101}, "label")):
        reply = kim.post(ASSESS, json={"records": man(), **body})
        assert reply.status_code == 400 and reply.json()["error"]["field"] == field
    assert rows(services) == before
    # Without save, nothing is kept and the reply has no "saved".
    reply = kim.post(ASSESS, json={"records": man(), "save": False})
    assert reply.status_code == 200 and "saved" not in reply.json()
    assert kim.post(ASSESS, json=man()).json().keys() == {"results"}
    assert rows(services) == before


def test_with_store_history_off_saving_is_refused_and_nothing_stored(kim: TestClient, services: Services,
                                                                     monkeypatch: pytest.MonkeyPatch):
    (kept,) = save(kim)
    monkeypatch.setattr(services.settings, "metabolic", MetabolicSettings())
    before = rows(services)
    saves = len(services.audit.recent(action="metabolic_history_save"))
    for body in ({"records": secret_record(), "save": True}, {**secret_record(), "save": True}):
        reply = kim.post(ASSESS, json=body)
        assert reply.status_code == 400
        assert reply.json()["error"]["field"] == "save"
        assert "metabolic.store_history" in reply.json()["error"]["message"]
    assert rows(services) == before
    assert len(services.audit.recent(action="metabolic_history_save")) == saves
    # What was saved before stays listed (without its label: there is no key) and deletable.
    listed = kim.get(HISTORY).json()
    assert listed["store_history"] is False
    assert {"id": kept, "label": None}.items() <= next(e for e in listed["assessments"] if e["id"] == kept).items()
    assert kim.delete(f"{HISTORY}/{kept}").status_code == 200


def test_a_wrong_key_is_a_clear_error_and_loses_nothing(kim: TestClient, services: Services,
                                                        monkeypatch: pytest.MonkeyPatch):
    (number,) = save(kim)
    before = rows(services)
    other = MetabolicSettings(store_history=True, history_key=Fernet.generate_key().decode())
    monkeypatch.setattr(services.settings, "metabolic", other)
    for reply in (kim.get(f"{HISTORY}/{number}"), kim.get(HISTORY)):
        assert reply.status_code == 500
        error = reply.json()["error"]
        assert error["code"] == "history_key" and "metabolic.history_key" in error["message"]
        assert "기록은 그대로 있습니다" in error["message"]
    assert rows(services) == before
    monkeypatch.undo()
    assert kim.get(f"{HISTORY}/{number}").json()["record"]["name"] == SECRET_NAME


def test_the_audit_log_says_which_number_what_and_by_whom_only(kim: TestClient, admin: TestClient,
                                                               services: Services):
    (number,) = save(kim)
    kim.get(f"{HISTORY}/{number}")
    admin.delete(f"{HISTORY}/{number}")
    events = services.audit.recent(limit=1000)
    mine = [(e["username"], e["action"], e["detail"]) for e in events if f"#{number} " in e["detail"]]
    assert sorted(mine) == sorted([("kim", "metabolic_history_save", f"검사 기록 #{number} 저장"),
                                   ("kim", "metabolic_history_read", f"검사 기록 #{number} 열람"),
                                   ("admin", "metabolic_history_delete", f"검사 기록 #{number} 삭제")])
    logged = json.dumps(events, ensure_ascii=False)
    for secret in (SECRET_NAME, SECRET_ID, SECRET_LABEL, str(SECRET_WAIST), str(SECRET_TG)):
        assert secret not in logged


def test_history_needs_a_signed_in_user(app):
    with TestClient(app) as anonymous:
        assert anonymous.get(HISTORY).status_code == 401
        assert anonymous.get(f"{HISTORY}/1").status_code == 401


# --- retention and key change ---

def age(services: Services, number: int, days: int) -> None:
    """Makes saved assessment `number` `days` days old."""
    with services.db.engine.begin() as connection:
        connection.execute(text("UPDATE metabolic_assessments SET created_at = :at WHERE id = :id"),
                           {"at": datetime.now(timezone.utc) - timedelta(days=days), "id": number})


def history_with(services: Services, **settings) -> AssessmentHistory:
    return AssessmentHistory(services.db, MetabolicSettings(store_history=True, **settings), services.audit)


def test_assessments_past_the_retention_are_destroyed_and_the_purge_audited(kim: TestClient, services: Services):
    (old,), (recent,) = save(kim), save(kim)
    age(services, old, 400)
    age(services, recent, 300)
    assert services.settings.metabolic.history_days == 365  # the default
    history = history_with(services, history_key=KEY)
    assert history.purge() == 1
    assert kim.get(f"{HISTORY}/{old}").status_code == 404
    assert kim.get(f"{HISTORY}/{recent}").json()["record"]["name"] == SECRET_NAME
    assert history_with(services, history_key=KEY, history_days=0).purge() == 0  # 0: kept until deleted
    assert kim.get(f"{HISTORY}/{recent}").status_code == 200
    purges = [e for e in services.audit.recent(limit=1000) if e["action"] == "metabolic_history_purge"]
    assert purges[0]["username"] == "system" and purges[0]["detail"] == "보존 기간(365일)이 지난 검사 기록 1건 파기"
    kim.delete(f"{HISTORY}/{recent}")


def test_the_server_destroys_expired_assessments_when_it_starts(kim: TestClient, services: Services):
    (number,) = save(kim)
    age(services, number, 366)
    with TestClient(create_app(services, start_background=False)):
        pass  # the lifespan ran the metabolic worker's first purge
    assert number not in [row[0] for row in rows(services)]


def test_a_previous_key_still_opens_and_rotation_reseals_every_row(kim: TestClient, services: Services,
                                                                   monkeypatch: pytest.MonkeyPatch):
    (number,) = save(kim)
    new_key = Fernet.generate_key().decode()
    monkeypatch.setattr(services.settings, "metabolic",
                        MetabolicSettings(store_history=True, history_key=new_key, history_previous_keys=[KEY]))
    assert kim.get(f"{HISTORY}/{number}").json()["record"]["name"] == SECRET_NAME  # sealed with the old key
    (fresh,) = save(kim)  # sealed with the new one
    before = {row[0]: row for row in rows(services)}
    assert history_with(services, history_key=new_key, history_previous_keys=[KEY]).rotate_key() == len(before)
    after = {row[0]: row for row in rows(services)}
    assert all(after[n][3:] != before[n][3:] for n in before)  # every row re-sealed
    only_new = history_with(services, history_key=new_key)
    assert {only_new.read(principal(services, "kim"), n)["label"] for n in (number, fresh)} == {SECRET_LABEL}
    with pytest.raises(HistoryKeyError):
        history_with(services, history_key=KEY).read(principal(services, "kim"), number)
    rotations = [e for e in services.audit.recent(limit=1000) if e["action"] == "metabolic_history_rotate_key"]
    assert rotations[0]["detail"] == f"검사 기록 {len(before)}건을 현재 키로 다시 암호화"
    for n in (number, fresh):
        only_new.delete(principal(services, "kim"), n)


def test_rotation_that_meets_a_row_no_key_opens_changes_nothing(kim: TestClient, services: Services):
    (number,) = save(kim)
    before = rows(services)
    stranger = Fernet.generate_key().decode()
    with pytest.raises(HistoryKeyError, match=r"검사 기록 #\d+을\(를\) 설정된 어느 키로도") as error:
        history_with(services, history_key=stranger).rotate_key()
    assert "history_previous_keys" in str(error.value)
    assert rows(services) == before
    kim.delete(f"{HISTORY}/{number}")


def principal(services: Services, username: str) -> Principal:
    return Principal(0, username, username, "staff")


# --- settings ---

def test_a_previous_key_that_is_not_a_fernet_key_is_a_start_up_error_naming_the_setting():
    with pytest.raises(ConfigError, match="metabolic.history_previous_keys의 1번째") as error:
        MetabolicSettings(store_history=True, history_key=KEY, history_previous_keys=["not-a-key"])
    assert "not-a-key" not in str(error.value)

def test_store_history_without_a_key_is_a_start_up_error_naming_the_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SEOUL_ASSIST_METABOLIC__STORE_HISTORY", "true")
    with pytest.raises(ConfigError, match="metabolic.history_key"):
        load_settings("test")
    monkeypatch.setenv("SEOUL_ASSIST_METABOLIC__HISTORY_KEY", "not-a-fernet-key-zz")
    with pytest.raises(ConfigError, match="metabolic.history_key") as error:
        load_settings("test")
    assert "not-a-fernet-key-zz" not in str(error.value)  # the key is never echoed
    monkeypatch.setenv("SEOUL_ASSIST_METABOLIC__HISTORY_KEY", KEY)
    settings = load_settings("test")
    assert settings.metabolic.store_history and settings.metabolic.history_key.get_secret_value() == KEY
    assert KEY not in repr(settings)


def test_history_is_off_by_default():
    assert load_settings("test").metabolic.store_history is False
