"""The readers over hostile input: broken, truncated or mutated telegrams are either read
or refused as unreadable (and then retried, then shown as failed), never a crash."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from alerts import readers
from alerts.readers.xml import UnreadableTelegram, parse

from .feed_server import TELEGRAMS

SAMPLES = sorted(p for p in TELEGRAMS.glob("*.xml") if p.name != "malformed.xml")


def read_or_refuse(data: bytes):
    try:
        root = parse(data)
        return readers.read(root, readers.header(root))
    except UnreadableTelegram:
        return "refused"


@seed(20261201)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=st.sampled_from(SAMPLES), cut=st.floats(0, 1), junk=st.binary(max_size=40),
       at=st.floats(0, 1))
def test_mutated_telegrams_are_read_or_refused(sample, cut, junk, at):
    data = sample.read_bytes()
    mutated = data[: int(len(data) * cut)] if cut < 0.5 else (
        data[: int(len(data) * at)] + junk + data[int(len(data) * at):])
    result = read_or_refuse(mutated)
    assert result is None or result == "refused" or isinstance(result, readers.Reading)


@pytest.mark.parametrize("data", [
    b"", b"<html><body>503</body></html>", b"<?xml version='1.0'?><Report/>",
    b'<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><Report>&b;</Report>',
    "<Report><Control><Title>震度速報</Title></Control><Head/></Report>".encode(),
])
def test_not_a_telegram_is_refused_or_means_nothing_for_the_ward(data):
    result = read_or_refuse(data)
    assert result == "refused" or not result.applies


def test_every_handled_title_has_a_real_sample_or_is_documented():
    titles = {readers.header(parse(p.read_bytes())).title for p in SAMPLES}
    untested = set(readers.REGISTRY) - titles
    # older titles and Ｒ０６ phenomena read by the same code as a sampled title
    assert untested <= {"津波警報・注意報・予報", "津波情報", *readers.weather.R06_TITLES}
