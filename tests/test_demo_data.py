"""Checks the demo data file (tracker/demo/pichai_2567.json) against the agency's
real O34 document (the seed), so the demo holds the agency's words and scores,
not invented ones."""
import json
import re
from pathlib import Path

import pytest

SEED_PATH = Path(__file__).resolve().parents[2] / "shared" / "seed" / "o34-pichai-2567.txt"
DATA_PATH = Path(__file__).resolve().parents[1] / "tracker" / "demo" / "pichai_2567.json"

if not SEED_PATH.exists():
    pytest.skip(f"seed document not found at {SEED_PATH}", allow_module_level=True)

SEED = SEED_PATH.read_text(encoding="utf-8")
DATA = json.loads(DATA_PATH.read_text(encoding="utf-8"))

# Topics and measure counts as DOMAIN.md ("The seed's content") describes them.
EXPECTED_MEASURES_PER_TOPIC = {1: 1, 2: 2, 3: 1, 4: 1, 7: 1}
MIN_SEGMENT = 6

# An item code as the seed writes it: OIT codes lead with O, o, 0 or ๐ (07, ๐10, 020, o1).
SEED_CODE = r"([Oo0๐]\d{1,2}|[ie]\d{1,2})(?!\d)"


def normalise_code(raw):
    """'07' -> 'O7', '๐10' -> 'O10', 'o1' -> 'O1'; 'e5' and 'i10' stay as they are."""
    if raw[0] in "Oo0๐":
        return "O" + str(int(raw[1:]))
    return raw[0] + str(int(raw[1:]))


def code_regex(code):
    """Regex for a normalised code in any of the seed's damaged spellings."""
    lead = "[Oo0๐]" if code[0] == "O" else re.escape(code[0])
    return re.compile(r"(?<!\w)" + lead + re.escape(code[1:]) + r"(?!\d)")


def score_text(score):
    return str(score)  # 100 -> "100", 99.63 -> "99.63"


def score_cell_regex(score):
    """The score as a whole table cell (tab-separated), optionally inside <p> tags."""
    return re.compile(r"(?:^|\t)\s*(?:<p>)?" + re.escape(score_text(score)) + r"(?:</p>)?\s*(?:\t|$)")


def seed_score_pairs():
    """Code -> score text for every row whose item cell is followed by a score cell."""
    pairs = {}
    for line in SEED.splitlines():
        cells = line.split("\t")
        for cell, following in zip(cells, cells[1:]):
            if not re.fullmatch(r"\d+(?:\.\d+)?", following.strip()):
                continue
            for raw in re.findall(r"(?:^|<p>)\s*" + SEED_CODE, cell.strip()):
                pairs[normalise_code(raw)] = following.strip()
    return pairs


def strip_text(text):
    return re.sub(r"</?p>|\s+", "", text)


STRIPPED_SEED = strip_text(SEED)


def longest_seed_prefix(text, start):
    """Length of the longest text[start:start+n] occurring in the stripped seed."""
    low, high = 0, len(text) - start
    while low < high:  # containment is monotonic in n, so bisect
        mid = (low + high + 1) // 2
        if text[start:start + mid] in STRIPPED_SEED:
            low = mid
        else:
            high = mid - 1
    return low


def uncovered_part(text):
    """None if text is made of seed segments (greedy, each >= MIN_SEGMENT chars except
    the last); else the part of the stripped text from where covering failed."""
    stripped = strip_text(text)
    pos = 0
    while pos < len(stripped):
        length = longest_seed_prefix(stripped, pos)
        if length == 0 or (length < MIN_SEGMENT and pos + length < len(stripped)):
            return stripped[pos:pos + 40]
        pos += length
    return None


def all_texts():
    for topic in DATA["topics"]:
        where = f"topic {topic['number']}"
        yield f"{where} title", topic["title"]
        yield f"{where} analysis", topic["analysis"]
        for m_index, measure in enumerate(topic["measures"], 1):
            at = f"{where} measure {m_index}"
            yield f"{at} title", measure["title"]
            if measure["details"]:
                yield f"{at} details", measure["details"]
            yield f"{at} period_text", measure["period_text"]
            for s_index, step in enumerate(measure["steps"], 1):
                yield f"{at} step {s_index}", step


def all_measures():
    for topic in DATA["topics"]:
        for index, measure in enumerate(topic["measures"], 1):
            yield f"topic {topic['number']} measure {index}", measure


def test_every_data_score_is_printed_in_the_seed_beside_its_code():
    lines = SEED.splitlines()
    missing = []
    for entry in DATA["scores"]:
        code_re, score_re = code_regex(entry["code"]), score_cell_regex(entry["score"])
        if not any(code_re.search(line) and score_re.search(line) for line in lines):
            missing.append(f"{entry['code']}={score_text(entry['score'])}")
    assert not missing, f"scores not found on a seed line naming their item: {missing}"


def test_every_score_printed_in_the_seed_is_in_the_data_file():
    data_scores = {entry["code"]: score_text(entry["score"]) for entry in DATA["scores"]}
    seed_pairs = seed_score_pairs()
    assert len(seed_pairs) >= 40, f"seed parser found only {len(seed_pairs)} scores: {seed_pairs}"
    wrong = {code: (score, data_scores.get(code)) for code, score in seed_pairs.items()
             if data_scores.get(code) != score}
    assert not wrong, f"seed score vs data score (None = missing from data): {wrong}"


def test_texts_are_made_of_the_seed():
    failures = []
    for where, text in all_texts():
        rest = uncovered_part(text)
        if rest is not None:
            failures.append(f"{where}: {text!r} (not in seed from: {rest!r})")
    assert not failures, "texts not made of the seed:\n" + "\n".join(failures)


def test_measures_have_steps_dates_in_fiscal_year_and_known_divisions():
    fiscal = DATA["fiscal_year"]
    known = set(DATA["divisions"])
    iso = re.compile(r"\d{4}-\d{2}-\d{2}")
    for where, measure in all_measures():
        assert measure["steps"] and all(s.strip() for s in measure["steps"]), f"{where}: no steps"
        assert not any(re.match(r"\s*\d+\.", s) for s in measure["steps"]), \
            f"{where}: a step keeps its leading number: {measure['steps']}"
        start, end = measure["start"], measure["end"]
        assert iso.fullmatch(start) and iso.fullmatch(end), f"{where}: dates not ISO: {start}, {end}"
        assert fiscal["start"] <= start <= end <= fiscal["end"], \
            f"{where}: {start}..{end} not inside fiscal year {fiscal['start']}..{fiscal['end']}"
        divisions = measure["divisions"]
        assert divisions == "all" or (isinstance(divisions, list) and divisions
                                      and set(divisions) <= known), \
            f"{where}: divisions {divisions!r} are neither 'all' nor names from {sorted(known)}"


def test_topics_and_measure_counts_match_the_domain_description():
    counts = {topic["number"]: len(topic["measures"]) for topic in DATA["topics"]}
    assert counts == EXPECTED_MEASURES_PER_TOPIC, \
        f"topic -> number of measures is {counts}, expected {EXPECTED_MEASURES_PER_TOPIC}"
    assert sum(counts.values()) == 6, f"expected six measures in all, got {sum(counts.values())}"


def test_every_topic_item_is_in_the_item_bank_and_has_a_score():
    bank = {item["code"]: item for item in DATA["items"]}
    scored = {entry["code"] for entry in DATA["scores"]}
    for topic in DATA["topics"]:
        not_in_bank = [code for code in topic["items"] if code not in bank]
        no_score = [code for code in topic["items"] if code not in scored]
        untitled = [code for code in topic["items"] if code in bank and not bank[code]["title"]]
        assert not not_in_bank, f"topic {topic['number']}: items missing from the bank: {not_in_bank}"
        assert not no_score, f"topic {topic['number']}: items without a score: {no_score}"
        assert not untitled, f"topic {topic['number']}: items with an empty title: {untitled}"
