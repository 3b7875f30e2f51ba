"""The shapes the demo content is written in: plain specs and one helper per module body block.

The data files (`modules_*.py`, `job_tasks.py`, `events.py`) read the way an author writes: a module
is a title, a summary, its job tasks and its blocks in the StreamField's raw (type, value) form.
"""

from dataclasses import KW_ONLY, dataclass, field


@dataclass(frozen=True)
class ModuleSpec:
    slug: str
    title: str
    summary: str
    body: list[tuple[str, object]]
    job_tasks: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobTaskSpec:
    name: str
    description: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepSpec:
    title: str
    kind: str  # a JourneyStep.Kind value
    _: KW_ONLY
    day: int  # the step's day_offset: days from the start date (or launch date) when it unlocks
    due_in: int = 3  # its due_offset: days after unlocking
    module: str = ""  # a ModuleSpec slug
    job_task: str = ""  # a JobTaskSpec name
    instructions: str = ""
    confirmed_by: str = "self"
    minutes: int | None = None  # its estimated_minutes, for a step without a module


@dataclass(frozen=True)
class EventSpec:
    name: str
    kind: str  # a ChangeEvent.Kind value
    description: str
    steps: list[StepSpec]
    # (role, team) pairs; a blank part matches anyone.
    audience: list[tuple[str, str]] = field(default_factory=list)
    audience_everyone: bool = False
    # Days from the seeding date to the event's date; None for onboarding (anchored on start dates).
    days_from_today: int | None = None


def text(*paragraphs: str) -> tuple[str, str]:
    """Paragraphs of plain prose; a paragraph already starting with a tag (<ul>, <h3>) is kept as is."""
    html = "".join(p if p.startswith("<") else f"<p>{p}</p>" for p in paragraphs)
    return ("text", html)


def steps_list(*items: str, ordered: bool = True) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


def takeaway(sentence: str) -> tuple[str, dict]:
    return ("key_takeaway", {"text": sentence})


def checklist(title: str, *items: str) -> tuple[str, dict]:
    return ("checklist", {"title": title, "items": list(items)})


def question(prompt: str, choices: list[tuple[str, bool]], explanation: str) -> tuple[str, dict]:
    return (
        "question",
        {
            "prompt": prompt,
            "choices": [{"text": choice, "correct": correct} for choice, correct in choices],
            "explanation": explanation,
        },
    )


def try_on_the_job(prompt: str, reflection: str = "") -> tuple[str, dict]:
    return ("try_on_the_job", {"prompt": prompt, "reflection": reflection})


def ask_a_peer(prompt: str, who: str = "") -> tuple[str, dict]:
    return ("ask_a_peer", {"prompt": prompt, "who": who})


def video(url: str, title: str, duration_seconds: int, transcript: str = "") -> tuple[str, dict]:
    return (
        "video",
        {
            "url": url,
            "title": title,
            "duration_seconds": duration_seconds,
            "transcript": transcript,
        },
    )
