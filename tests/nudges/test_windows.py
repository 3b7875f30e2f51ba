"""When a nudge may go out: windows in the learner's time zone, quiet hours, cap, weekends, DST."""

import datetime
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from nudges.windows import (
    Rules,
    Window,
    day_slots,
    is_quiet,
    local_counts,
    next_slot,
    to_utc,
)

UTC = datetime.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
WEEKDAYS = frozenset(range(5))


def t(value: str) -> datetime.time:
    return datetime.time.fromisoformat(value)


def rules(
    windows=(("08:00", "08:40"), ("12:30", "13:00")),
    *,
    days=WEEKDAYS,
    quiet=("21:00", "08:00"),
    cap=2,
    weekends=False,
    backed_off=False,
) -> Rules:
    return Rules(
        quiet_start=t(quiet[0]),
        quiet_end=t(quiet[1]),
        windows=tuple(Window(frozenset(days), t(s), t(e)) for s, e in windows),
        daily_cap=cap,
        weekends=weekends,
        backed_off=backed_off,
    )


def berlin(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BERLIN)


# Monday 2026-03-02, winter time in Berlin (UTC+1).
MONDAY = datetime.date(2026, 3, 2)


def test_inside_a_window_the_moment_is_now():
    now = berlin(2026, 3, 2, 8, 10)
    slot = next_slot(rules(), tz=BERLIN, now=now)
    assert (slot.start, slot.end, slot.label) == (now, berlin(2026, 3, 2, 8, 40), "08:00-08:40")
    assert slot.local_date == MONDAY


def test_before_a_window_the_moment_is_its_start():
    slot = next_slot(rules(), tz=BERLIN, now=berlin(2026, 3, 2, 9, 0))
    assert slot.start == berlin(2026, 3, 2, 12, 30)
    assert slot.start.tzinfo == UTC


def test_the_moment_is_in_the_learners_own_time_zone():
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    # 23:30 UTC on Sunday is 08:30 on Monday in Tokyo: inside the morning window.
    now = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    slot = next_slot(rules(), tz=tokyo, now=now)
    assert slot.start == now
    assert slot.local_date == MONDAY


def test_a_window_partly_in_quiet_hours_starts_when_they_end():
    slot = next_slot(
        rules([("07:30", "09:00")], quiet=("21:00", "08:00")),
        tz=BERLIN,
        now=berlin(2026, 3, 2, 6, 0),
    )
    assert (slot.start, slot.end) == (berlin(2026, 3, 2, 8, 0), berlin(2026, 3, 2, 9, 0))


def test_quiet_hours_within_one_day_are_respected_too():
    # Quiet 12:00–14:00: the lunch window is out, the evening one is in.
    slot = next_slot(
        rules([("12:30", "13:00"), ("18:00", "18:30")], quiet=("12:00", "14:00")),
        tz=BERLIN,
        now=berlin(2026, 3, 2, 9, 0),
    )
    assert slot.label == "18:00-18:30"


def test_is_quiet_wraps_midnight():
    wrapping = rules(quiet=("21:00", "08:00"))
    assert is_quiet(t("23:59"), wrapping)
    assert is_quiet(t("00:00"), wrapping)
    assert is_quiet(t("07:59"), wrapping)
    assert not is_quiet(t("08:00"), wrapping)
    assert not is_quiet(t("20:59"), wrapping)


def test_over_the_cap_today_the_next_day_is_used():
    now = berlin(2026, 3, 2, 9, 0)
    booked = [berlin(2026, 3, 2, 8, 5).astimezone(UTC)]
    slot = next_slot(rules(cap=1), tz=BERLIN, now=now, booked=booked)
    assert slot.start == berlin(2026, 3, 3, 8, 0)


def test_one_nudge_per_window_occurrence():
    now = berlin(2026, 3, 2, 8, 10)
    booked = [berlin(2026, 3, 2, 8, 0).astimezone(UTC)]
    slot = next_slot(rules(cap=5), tz=BERLIN, now=now, booked=booked)
    assert slot.start == berlin(2026, 3, 2, 12, 30)


def test_weekends_are_skipped_unless_allowed():
    friday_evening = berlin(2026, 3, 6, 18, 0)
    every_day = rules(days=range(7))
    assert next_slot(every_day, tz=BERLIN, now=friday_evening).local_date == datetime.date(
        2026, 3, 9
    )
    weekends = rules(days=range(7), weekends=True)
    assert next_slot(weekends, tz=BERLIN, now=friday_evening).start == berlin(2026, 3, 7, 8, 0)


def test_a_window_on_other_days_is_not_used():
    # Tuesdays only.
    slot = next_slot(rules([("08:00", "08:40")], days={1}), tz=BERLIN, now=berlin(2026, 3, 2, 7))
    assert slot.start == berlin(2026, 3, 3, 8, 0)


def test_no_slot_with_a_cap_of_zero_or_only_skipped_days():
    now = berlin(2026, 3, 2, 7, 0)
    assert next_slot(rules(cap=0), tz=BERLIN, now=now) is None
    assert next_slot(rules(days={5, 6}, weekends=False), tz=BERLIN, now=now) is None


def test_without_windows_the_default_window_applies(settings):
    from nudges.models import NudgePreferences

    settings.NUDGES_DEFAULT_WINDOW = ("12:30", "13:00")
    preferences = NudgePreferences(windows=[])
    slot = next_slot(Rules.from_preferences(preferences), tz=BERLIN, now=berlin(2026, 3, 2, 9, 0))
    assert (slot.start, slot.label) == (berlin(2026, 3, 2, 12, 30), "12:30-13:00")


def test_preferences_become_rules():
    from nudges.models import NudgePreferences

    preferences = NudgePreferences(
        windows=[{"days": [0, 2], "start": "07:15", "end": "07:45"}],
        quiet_start=t("22:00"),
        quiet_end=t("06:30"),
        daily_cap=3,
        weekends=True,
    )
    assert Rules.from_preferences(preferences, backed_off=True) == Rules(
        quiet_start=t("22:00"),
        quiet_end=t("06:30"),
        windows=(Window(frozenset({0, 2}), t("07:15"), t("07:45")),),
        daily_cap=3,
        weekends=True,
        backed_off=True,
    )


def test_backed_off_at_most_one_nudge_in_two_days():
    now = berlin(2026, 3, 2, 7, 0)
    backed_off = rules(cap=2, backed_off=True)
    first = next_slot(backed_off, tz=BERLIN, now=now)
    assert first.start == berlin(2026, 3, 2, 8, 0)
    # Not the lunch window the same day, not the next day: the day after.
    second = next_slot(backed_off, tz=BERLIN, now=now, booked=[first.start])
    assert second.local_date == datetime.date(2026, 3, 4)
    # Yesterday's nudge keeps today free as well.
    yesterday = [berlin(2026, 3, 1, 12, 30).astimezone(UTC)]
    assert next_slot(
        rules(days=range(7), weekends=True, backed_off=True), tz=BERLIN, now=now, booked=yesterday
    ).local_date == datetime.date(2026, 3, 3)


def test_the_chooser_picks_among_the_first_free_days_slots_unless_one_is_open_now():
    now = berlin(2026, 3, 2, 7, 0)
    slots = day_slots(rules(), tz=BERLIN, now=now)
    assert [s.label for s in slots] == ["08:00-08:40", "12:30-13:00"]
    picked = next_slot(rules(), tz=BERLIN, now=now, choose=lambda slots: slots[-1])
    assert picked.label == "12:30-13:00"
    # At 08:10 the morning window is open: the learner is free now, so now it is.
    open_now = berlin(2026, 3, 2, 8, 10)
    picked = next_slot(rules(), tz=BERLIN, now=open_now, choose=lambda slots: slots[-1])
    assert (picked.start, picked.label) == (open_now, "08:00-08:40")


# --- DST ------------------------------------------------------------------------------------------


def test_a_local_time_in_the_spring_forward_gap_moves_to_the_end_of_the_gap():
    # Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
    moment = to_utc(datetime.date(2026, 3, 29), t("02:30"), BERLIN)
    assert moment == datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert moment.astimezone(BERLIN).strftime("%H:%M %Z") == "03:00 CEST"


def test_an_ambiguous_local_time_is_its_first_occurrence():
    # Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
    moment = to_utc(datetime.date(2026, 10, 25), t("02:30"), BERLIN)
    assert moment == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert moment.astimezone(BERLIN).strftime("%Z") == "CEST"


def test_a_window_in_the_gap_starts_when_the_clocks_have_jumped():
    sunday_night = rules(
        [("02:15", "03:30")], days=range(7), weekends=True, quiet=("22:00", "01:00")
    )
    slot = next_slot(sunday_night, tz=BERLIN, now=berlin(2026, 3, 29, 0, 30))
    assert slot.start == datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert slot.end == datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST


def test_windows_follow_the_wall_clock_across_the_change():
    # The same 08:00 window is 07:00 UTC in winter and 06:00 UTC in summer.
    friday = next_slot(rules(), tz=BERLIN, now=berlin(2026, 3, 27, 7, 0))
    monday = next_slot(rules(), tz=BERLIN, now=berlin(2026, 3, 30, 7, 0))
    assert friday.start == datetime.datetime(2026, 3, 27, 7, 0, tzinfo=UTC)
    assert monday.start == datetime.datetime(2026, 3, 30, 6, 0, tzinfo=UTC)


def test_a_day_the_zone_skipped_is_not_used():
    # Samoa skipped Friday 2011-12-30 entirely, moving across the date line.
    apia = zoneinfo.ZoneInfo("Pacific/Apia")
    now = datetime.datetime(2011, 12, 29, 23, 0, tzinfo=apia)
    slot = next_slot(rules(days=range(7), weekends=True), tz=apia, now=now)
    assert slot.local_date == datetime.date(2011, 12, 31)
    assert slot.start.astimezone(apia).date() == datetime.date(2011, 12, 31)


# --- Properties -----------------------------------------------------------------------------------

ZONES = sorted(zoneinfo.available_timezones())


@st.composite
def times(draw) -> datetime.time:
    return datetime.time(draw(st.integers(0, 23)), draw(st.integers(0, 59)))


@st.composite
def windows(draw) -> Window:
    start = draw(st.integers(0, 24 * 60 - 2))
    end = draw(st.integers(start + 1, 24 * 60 - 1))
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    return Window(days, datetime.time(start // 60, start % 60), datetime.time(end // 60, end % 60))


@st.composite
def any_rules(draw) -> Rules:
    quiet_start = draw(times())
    quiet_end = draw(times().filter(lambda value: value != quiet_start))
    return Rules(
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        windows=tuple(draw(st.lists(windows(), min_size=1, max_size=4))),
        daily_cap=draw(st.integers(0, 4)),
        weekends=draw(st.booleans()),
        backed_off=draw(st.booleans()),
    )


# 2000–2037 covers every zone's recent DST rules, and Samoa's lost day.
moments = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
    max_value=datetime.datetime(2037, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    now=moments,
    chosen=any_rules(),
    booked_offsets=st.lists(st.integers(-2 * 24 * 60, 3 * 24 * 60), max_size=6),
    pick_last=st.booleans(),
)
def test_a_planned_moment_is_never_quiet_over_the_cap_or_on_a_skipped_weekend(
    zone, now, chosen, booked_offsets, pick_last
):
    tz = zoneinfo.ZoneInfo(zone)
    booked = [now + datetime.timedelta(minutes=m) for m in booked_offsets]
    slot = next_slot(
        chosen,
        tz=tz,
        now=now,
        booked=booked,
        choose=(lambda slots: slots[-1]) if pick_last else None,
    )
    if slot is None:
        return
    local = slot.start.astimezone(tz)
    assert now <= slot.start < slot.end
    assert not is_quiet(local.time(), chosen)
    assert local.date() == slot.local_date
    assert chosen.weekends or local.weekday() < 5
    assert any(w.label == slot.label and local.weekday() in w.days for w in chosen.windows)
    counts = local_counts(booked, tz)
    assert counts[slot.local_date] + 1 <= chosen.cap
    if chosen.backed_off:
        one_day = datetime.timedelta(days=1)
        assert counts[slot.local_date - one_day] == counts[slot.local_date + one_day] == 0
    # Never twice in one window occurrence.
    assert not any(slot.start <= moment < slot.end for moment in booked)


@settings(max_examples=200, deadline=None)
@given(zone=st.sampled_from(ZONES), now=moments, value=times())
def test_to_utc_lands_on_the_local_time_or_just_after_a_gap(zone, now, value):
    tz = zoneinfo.ZoneInfo(zone)
    day = now.astimezone(tz).date()
    moment = to_utc(day, value, tz)
    wall = moment.astimezone(tz).replace(tzinfo=None)
    wanted = datetime.datetime.combine(day, value)
    assert wall >= wanted
    if wall != wanted:
        # Only in a gap: a second earlier, the clock read before the wanted time.
        before = (moment - datetime.timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None)
        assert before < wanted
