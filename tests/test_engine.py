"""The transition engine, without disk: before / during / after, every kind of
transition, and refusals that say exactly why."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blueprint_cli import engine
from blueprint_cli.engine import EngineError, Inputs, Moved, Refusal
from blueprint_cli.language.model import build
from blueprint_cli.engine.records import Record
from blueprint_cli.language.team import Team

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=timezone(timedelta(hours=2)))

DEALS = {
    "blueprint": "deals",
    "module": "Deals",
    "field": "stage",
    "entry": {"when": {"field": "amount", "gt": 0}},
    "fields": {
        "name": {"type": "text"},
        "amount": {"type": "currency", "min": 0},
        "discount": {"type": "percent", "max": 100, "default": 0},
        "probability": {"type": "percent", "default": 10},
        "close_on": {"type": "date"},
        "signed": {"type": "boolean"},
        "reason": {"type": "picklist", "values": ["Price", "Competitor"]},
        "summary": {"type": "text"},
    },
    "states": [
        {"name": "Qualification"}, {"name": "Negotiation"}, {"name": "Approval"},
        {"name": "Legal"}, {"name": "Won", "final": True}, {"name": "Lost", "final": True},
    ],
    "transitions": [
        {"name": "Negotiate", "from": "Qualification", "to": "Negotiation",
         "owners": ["role:sales_rep", "record_owner"],
         "when": {"all": [{"field": "amount", "gte": 1000}]},
         "require": {"fields": ["close_on"], "checklist": ["Budget confirmed", "Decision maker"], "note": True},
         "then": [{"set": {"probability": 40, "summary": "{{record.name}} by {{user}}"}},
                  {"task": {"subject": "Proposal for {{record.name}}", "due": "2d", "owner": "record_owner"}}]},
        {"name": "Ask discount", "from": "Negotiation", "to": "Approval", "owners": ["record_owner"],
         "require": {"fields": ["discount"]},
         "then": [{"email": {"to": "role:sales_manager", "subject": "{{record.name}}: {{record.discount}}%"}},
                  {"webhook": {"url": "https://hooks.example.com/x"}}]},
        {"name": "Decide", "from": "Approval", "owners": ["role:sales_manager"],
         "branches": [{"when": {"field": "discount", "lte": 20}, "to": "Legal"}, {"else": "Negotiation"}],
         "then": [{"tag": {"add": ["reviewed"]}}]},
        {"name": "Contract", "from": "Negotiation", "to": "Legal", "require": {"attachment": True},
         "then": [{"set": {"close_on": "+2d"}}, {"set": {"amount": "-5"}}, {"tag": {"add": ["contract"]}}]},
        {"name": "Sign-off", "from": "Legal", "to": "Won",
         "parallel": [
             {"name": "Legal approval", "owners": ["role:legal"], "require": {"fields": ["signed"]}},
             {"name": "Finance approval", "owners": ["role:finance"], "when": {"field": "signed", "eq": True},
              "require": {"checklist": ["Credit checked"]}},
         ],
         "then": [{"set": {"probability": 100, "close_on": "{{now}}"}}, {"tag": {"add": ["won"], "remove": ["contract"]}}]},
        {"name": "Lose", "from": "*", "to": "Lost", "require": {"fields": ["reason"]}},
    ],
}

TEAM = Team.from_data({"users": {
    "alice": {"roles": ["sales_rep"], "email": "alice@example.com"},
    "bob": {"roles": ["sales_manager"], "email": "bob@example.com"},
    "carol": {"roles": ["legal"]},
    "dave": {"roles": ["finance"]},
    "zed": {"roles": ["legal", "finance"]},
    "mallory": {"roles": ["support"], "profile": "standard"},
}})
BP = build(DEALS)


def new_record(state: str = "Qualification", owner: str = "alice", **fields: object) -> Record:
    values = engine.parse_values(engine.field_defs(BP), {"name": "Acme", "amount": 5000, **fields})
    record, _ = engine.create(BP, record_id="7", module="Deals", version=1, owner=owner, values=values,
                              user=owner, now=NOW)
    return record.with_(state=state)


def move(record: Record, user: str, name: str, **inputs: object) -> Moved | Refusal:
    return engine.move(BP, record, TEAM.user(user), name, Inputs(**inputs), NOW, TEAM)  # type: ignore[arg-type]


def moved(result: Moved | Refusal) -> Moved:
    assert isinstance(result, Moved), result
    return result


def refused(result: Moved | Refusal) -> list[str]:
    assert isinstance(result, Refusal), result
    return [r.message for r in result.reasons]


NEGOTIATE_OK = dict(fields={"close_on": "2026-06-30"}, checklist=("budget confirmed", "Decision maker"), note="ok")


# ----- creating and entering --------------------------------------------------------------

def test_new_record_starts_in_entry_state_with_defaults() -> None:
    r = new_record()
    assert r.state == "Qualification" and r.fields["discount"] == 0 and r.fields["probability"] == 10
    assert r.created_at == "2026-05-04T09:30:00+02:00"


def test_entry_picks_lowest_priority_then_publish_order() -> None:
    generic = build({**DEALS, "blueprint": "generic", "entry": {}})
    vip = build({**DEALS, "blueprint": "vip", "priority": 5, "entry": {"when": {"field": "amount", "gte": 100000}}})
    order = engine.entry_order([(1, generic), (2, BP), (3, vip)])
    assert [b.id for b in order] == ["vip", "generic", "deals"]
    assert engine.choose_blueprint(order, "Deals", {"amount": 200000})[0] is vip
    chosen, why = engine.choose_blueprint(order, "deals", {"amount": 10})
    assert chosen is generic and "amount ≥ 100000 — actual: 10" in why[0]
    assert engine.choose_blueprint([BP], "Deals", {"amount": 0})[0] is None
    assert engine.choose_blueprint([BP], "Leads", {"amount": 5})[0] is None


# ----- before -----------------------------------------------------------------------------

def test_not_an_owner_names_the_rule_and_the_user() -> None:
    reasons = refused(move(new_record(owner="bob"), "mallory", "Negotiate", **NEGOTIATE_OK))
    assert reasons == ["you are not an owner of 'Negotiate': it is for role:sales_rep or record_owner "
                       "(the record owner is bob); you are mallory (roles: support; profile: standard)"]


def test_record_owner_may_move_without_the_role() -> None:
    assert moved(move(new_record(owner="mallory"), "mallory", "Negotiate", **NEGOTIATE_OK)).record.state == "Negotiation"


def test_criteria_failure_shows_the_actual_value() -> None:
    reasons = refused(move(new_record(amount=500), "alice", "Negotiate", **NEGOTIATE_OK))
    assert reasons == ["criteria of 'Negotiate' not met: amount ≥ 1000 — actual: 500"]


def test_final_state_refuses_everything() -> None:
    reasons = refused(move(new_record(state="Won"), "alice", "Lose", fields={"reason": "Price"}))
    assert reasons == ["record 7 is in Won, a final state: no transition leaves it"]


def test_transition_from_another_state_lists_what_is_possible() -> None:
    reasons = refused(move(new_record(), "alice", "Decide"))
    assert reasons == ["'Decide' leaves from Approval, but record 7 is in Qualification; "
                       "from Qualification there is: Negotiate, Lose"]


def test_unknown_transition_suggests_the_closest() -> None:
    with pytest.raises(EngineError) as exc:
        move(new_record(), "alice", "Negoitate")
    assert exc.value.exit_code == 2 and exc.value.hint == "did you mean 'Negotiate'?"


# ----- during -----------------------------------------------------------------------------

def test_every_missing_requirement_is_listed() -> None:
    result = move(new_record(), "alice", "Negotiate")
    assert isinstance(result, Refusal) and result.only_missing
    assert result.missing_fields() == ["close_on"]
    assert result.missing_checklist() == ["Budget confirmed", "Decision maker"]
    assert result.needs("note") and not result.needs("attachment")


def test_required_field_already_filled_counts() -> None:
    r = new_record(close_on="2026-07-01")
    assert moved(move(r, "alice", "Negotiate", checklist=("Budget confirmed", "Decision maker"), note="n"))


def test_attachment_required() -> None:
    r = new_record(state="Negotiation")
    assert refused(move(r, "alice", "Contract")) == ["an attachment is required"]
    assert moved(move(r, "alice", "Contract", attachments=("draft.pdf",))).entry.attachments == ("draft.pdf",)


def test_bad_value_is_a_usage_error_naming_field_and_value() -> None:
    with pytest.raises(EngineError) as exc:
        move(new_record(), "alice", "Negotiate", fields={"close_on": "tomorrow"})
    assert "'tomorrow' is not a valid date" in exc.value.message and exc.value.exit_code == 2


def test_unknown_field_and_checklist_item_are_usage_errors() -> None:
    with pytest.raises(EngineError, match="unknown field 'clos_on'"):
        move(new_record(), "alice", "Negotiate", fields={"clos_on": "2026-01-01"})
    with pytest.raises(EngineError, match="not on the checklist") as exc:
        move(new_record(), "alice", "Negotiate", checklist=("Budget confirm",))
    assert exc.value.hint == "did you mean 'Budget confirmed'?"


def test_state_field_cannot_be_set_during_a_move() -> None:
    with pytest.raises(Exception) as exc:
        move(new_record(), "alice", "Negotiate", fields={"stage": "Won"})
    assert getattr(exc.value, "exit_code", None) == 1 and "state field" in str(exc.value)


@settings(max_examples=200, deadline=None)
@given(value=st.integers(0, 100), give=st.one_of(st.none(), st.integers(0, 100)), yes=st.booleans(),
       system=st.booleans())
def test_a_required_field_is_still_needed_exactly_while_at_its_default_unconfirmed(
        value: int, give: int | None, yes: bool, system: bool) -> None:
    """discount (default 0) holds `value`; the move gives `give` (or nothing), with
    --yes or not, by a person or by blueprint itself (an automatic transition)."""
    record = new_record(state="Negotiation", discount=value)
    fields = {} if give is None else {"discount": str(give)}
    result = engine.move(BP, record, TEAM.user("alice"), "Ask discount", Inputs(fields=fields, confirm_defaults=yes),
                         NOW, TEAM, system=system)
    asked = value == 0 and give is None and not yes and not system
    if asked:
        assert isinstance(result, Refusal)
        (reason,) = result.reasons
        assert (reason.kind, reason.field, reason.proposed) == ("field", "discount", 0)
        assert reason.message == ("discount is required: its default 0 is proposed; "
                                  "confirm with --yes or give --set discount=…")
    else:
        assert moved(result).record.fields["discount"] == (value if give is None else give)


# ----- the move and after -----------------------------------------------------------------

def test_move_changes_state_fields_and_writes_one_history_entry() -> None:
    before = new_record()
    m = moved(move(before, "alice", "Negotiate", **NEGOTIATE_OK))
    assert before.state == "Qualification" and "close_on" not in before.fields  # the input is untouched
    assert m.record.state == "Negotiation" and m.record.state_since == "2026-05-04T09:30:00+02:00"
    e = m.entry.to_dict()
    assert (e["from"], e["to"], e["transition"], e["user"], e["note"]) == \
        ("Qualification", "Negotiation", "Negotiate", "alice", "ok")
    assert e["checklist"] == ["Budget confirmed", "Decision maker"]
    assert e["changes"] == {"close_on": [None, "2026-06-30"], "probability": [10, 40], "summary": [None, "Acme by alice"]}
    assert [a["status"] for a in e["actions"]] == ["done", "done"]
    task = m.record.open_tasks()[0]
    assert (task.subject, task.owner, task.due) == ("Proposal for Acme", "alice", "2026-05-06T09:30:00+02:00")


def test_date_arithmetic_and_failing_action_keeps_the_rest() -> None:
    m = moved(move(new_record(state="Negotiation"), "alice", "Contract", attachments=("a.pdf",)))
    assert m.record.fields["close_on"] == "2026-05-06"
    assert m.record.fields["amount"] == 5000  # -5 violates min: 0
    outcomes = [(a.action, a.status) for a in m.entry.actions]
    assert outcomes == [("set", "done"), ("set", "failed"), ("tag", "done")]
    assert "must be at least 0" in m.entry.actions[1].detail
    assert m.record.tags == ("contract",) and m.record.state == "Legal"


def test_email_and_webhook_become_effects_pending_delivery() -> None:
    m = moved(move(new_record(state="Negotiation"), "alice", "Ask discount", fields={"discount": "15"}))
    assert [(a.action, a.status) for a in m.entry.actions] == [("email", "pending"), ("webhook", "pending")]
    email, hook = m.effects
    assert email.index == 0 and email.data["to"] == ["bob@example.com"] and email.data["subject"] == "Acme: 15%"
    assert hook.index == 1 and hook.kind == "webhook" and m.entry.actions[1].request == hook.data


@pytest.mark.parametrize(("discount", "target"), [(15, "Legal"), (20, "Legal"), (35, "Negotiation")])
def test_conditional_first_matching_branch_else(discount: int, target: str) -> None:
    m = moved(move(new_record(state="Approval", discount=discount), "bob", "Decide"))
    assert m.record.state == target and m.record.tags == ("reviewed",)


def test_common_transition_from_any_open_state() -> None:
    for state in ("Qualification", "Negotiation", "Approval", "Legal"):
        assert moved(move(new_record(state=state), "alice", "Lose", fields={"reason": "Price"})).record.state == "Lost"


def test_parallel_parts_each_by_their_owners_then_the_move() -> None:
    r = new_record(state="Legal")
    # finance first: its criterion (signed) is not met yet
    assert refused(move(r, "dave", "Finance approval", checklist=("Credit checked",))) == \
        ["criteria of 'Finance approval' not met: signed = true — actual: empty"]
    # sales cannot do either part
    reasons = refused(move(r, "alice", "Sign-off"))
    assert any("'Legal approval'" in m and "role:legal" in m for m in reasons)
    legal = moved(move(r, "carol", "Sign-off", fields={"signed": "yes"}))
    assert legal.record.state == "Legal" and legal.waiting == ("Finance approval",)
    assert legal.entry.kind == "part" and legal.entry.part == "Legal approval" and legal.entry.actions == ()
    assert [p.part for p in legal.record.pending] == ["Legal approval"]
    assert refused(move(legal.record, "carol", "Legal approval"))[0].startswith("'Legal approval' was already done by carol")
    done = moved(move(legal.record, "dave", "Sign-off", checklist=("Credit checked",)))
    assert done.record.state == "Won" and done.record.pending == ()
    assert done.record.fields["close_on"] == "2026-05-04" and done.record.fields["probability"] == 100
    assert done.record.tags == ("won",) and done.entry.to_state == "Won"


def test_parallel_user_owning_two_parts_must_choose() -> None:
    r = new_record(state="Legal", signed=True)
    result = move(r, "zed", "Sign-off")
    assert isinstance(result, Refusal) and result.reasons[0].kind == "choose-part"
    m = engine.move(BP, r, TEAM.user("zed"), "Sign-off", Inputs(part="finance approval", checklist=("Credit checked",)),
                    NOW, TEAM)
    assert isinstance(m, Moved) and m.entry.part == "Finance approval"


# ----- next ---------------------------------------------------------------------------------

def test_options_say_what_is_allowed_and_what_it_needs() -> None:
    opts = {(o.transition, o.part): o for o in engine.options(BP, new_record(state="Legal"), TEAM.user("carol"))}
    legal = opts[("Sign-off", "Legal approval")]
    assert legal.allowed and legal.to_dict()["requires"]["fields"] == ["signed"]
    finance = opts[("Sign-off", "Finance approval")]
    assert not finance.allowed and {r.kind for r in finance.blocked_by} == {"owner", "criteria"}
    assert opts[("Lose", None)].allowed and opts[("Lose", None)].kind == "common"
    assert engine.options(BP, new_record(state="Lost"), TEAM.user("alice")) == []


def test_record_as_plain_dict_is_accepted() -> None:
    data = new_record().to_dict()
    assert moved(engine.move(BP, data, TEAM.user("alice"), "Negotiate", Inputs(**NEGOTIATE_OK), NOW, TEAM))  # type: ignore[arg-type]


def test_set_action_templates() -> None:
    r = new_record(name="Big deal")
    assert engine.render("{{record.name}}/{{user}}/{{now}}/{{record.stage}}/{{record.signed}}", r.with_(fields={**r.fields, "signed": True}), "ann", NOW, "stage") \
        == "Big deal/ann/2026-05-04T09:30:00+02:00/Qualification/true"


def test_business_days_skip_weekends() -> None:
    from blueprint_cli.language.durations import parse_duration

    friday = datetime(2026, 5, 8, 12, tzinfo=timezone.utc)
    assert engine.add_duration(friday, parse_duration("2 business_days")).date().isoformat() == "2026-05-12"
