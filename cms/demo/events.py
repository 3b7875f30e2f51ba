"""Demo change events: a new support agent's first 30 days, and the launch of Smart Tariff Flex."""

from cms.demo.specs import EventSpec, StepSpec
from cms.models import ChangeEvent, JourneyStep

FORMAL, SOCIAL, ON_THE_JOB = (
    JourneyStep.Kind.FORMAL,
    JourneyStep.Kind.SOCIAL,
    JourneyStep.Kind.ON_THE_JOB,
)
BUDDY, MANAGER = JourneyStep.Confirmer.BUDDY, JourneyStep.Confirmer.MANAGER

ONBOARDING = EventSpec(
    name="Customer support onboarding",
    kind=ChangeEvent.Kind.ONBOARDING,
    description=(
        "A new support agent's first 30 days at Brightwave: short modules, time with a buddy and "
        "real tickets, from simple password resets to a full shift on the live queue."
    ),
    audience=[("Support agent", "")],
    steps=[
        StepSpec(
            "Welcome to Brightwave Support",
            FORMAL,
            day=0,
            due_in=1,
            module="welcome-to-brightwave-support",
        ),
        StepSpec(
            "Meet your buddy",
            SOCIAL,
            day=0,
            due_in=1,
            confirmed_by=BUDDY,
            instructions="Have a coffee with your buddy: agree when you'll sit together this week.",
            minutes=15,
        ),
        StepSpec(
            "Find your way around Helm",
            FORMAL,
            day=0,
            due_in=2,
            module="finding-your-way-around-helm",
        ),
        StepSpec(
            "Shadow your buddy's calls for a morning",
            SOCIAL,
            day=1,
            due_in=2,
            confirmed_by=BUDDY,
            instructions="Listen in on at least five calls. Note one phrase you want to borrow.",
            minutes=180,
        ),
        StepSpec(
            "Write a first reply that lands",
            FORMAL,
            day=1,
            due_in=2,
            module="writing-a-first-reply-that-lands",
        ),
        StepSpec(
            "Check who you're talking to",
            FORMAL,
            day=1,
            due_in=2,
            module="checking-who-youre-talking-to",
        ),
        StepSpec(
            "Get a locked-out customer back in",
            FORMAL,
            day=2,
            due_in=2,
            module="resetting-a-customers-password",
        ),
        StepSpec(
            "Handle three password resets",
            ON_THE_JOB,
            day=2,
            due_in=3,
            confirmed_by=BUDDY,
            job_task="Reset a customer's password",
            instructions="Your buddy watches the first one; you do the next two on your own.",
            minutes=20,
        ),
        StepSpec(
            "Troubleshoot an offline Dial",
            FORMAL,
            day=3,
            due_in=2,
            module="troubleshooting-an-offline-dial",
        ),
        StepSpec(
            "Listen in on Tier 2 for an hour",
            SOCIAL,
            day=3,
            due_in=4,
            instructions="Sit with a Tier 2 agent and ask what they wish first-line agents checked.",
            minutes=60,
        ),
        StepSpec(
            "Update billing details safely",
            FORMAL,
            day=4,
            due_in=2,
            module="updating-billing-details-safely",
        ),
        StepSpec(
            "Process a refund in three steps", FORMAL, day=5, due_in=2, module="processing-a-refund"
        ),
        StepSpec(
            "Process five refunds",
            ON_THE_JOB,
            day=5,
            due_in=5,
            confirmed_by=MANAGER,
            job_task="Process a refund",
            instructions="Your team lead checks the reason you picked on each one.",
            minutes=30,
        ),
        StepSpec(
            "Calm an angry customer", FORMAL, day=7, due_in=2, module="calming-an-angry-customer"
        ),
        StepSpec(
            "Review a difficult call with your team lead",
            SOCIAL,
            day=7,
            due_in=3,
            confirmed_by=MANAGER,
            instructions="Pick a recording of a hard call (yours or your buddy's) and listen together.",
        ),
        StepSpec(
            "When and how to escalate", FORMAL, day=8, due_in=2, module="when-and-how-to-escalate"
        ),
        StepSpec(
            "Escalate a ticket with a complete handover",
            ON_THE_JOB,
            day=8,
            due_in=5,
            confirmed_by=MANAGER,
            job_task="Escalate a ticket",
        ),
        StepSpec(
            "Write a bug report engineers can act on",
            FORMAL,
            day=10,
            due_in=3,
            module="writing-a-bug-report-engineers-can-act-on",
        ),
        StepSpec(
            "Log a bug report (or link to a known issue)",
            ON_THE_JOB,
            day=10,
            due_in=7,
            job_task="Log a bug report",
        ),
        StepSpec("Close a ticket well", FORMAL, day=12, due_in=2, module="closing-a-ticket-well"),
        StepSpec(
            "Close 20 tickets with the right contact reason",
            ON_THE_JOB,
            day=12,
            due_in=5,
            confirmed_by=MANAGER,
            job_task="Close a ticket",
        ),
        StepSpec(
            "Book an engineer visit", FORMAL, day=14, due_in=2, module="booking-an-engineer-visit"
        ),
        StepSpec(
            "Two-week check-in with your manager",
            SOCIAL,
            day=14,
            due_in=2,
            confirmed_by=MANAGER,
            instructions="Bring one thing that is going well and one you want help with.",
        ),
        StepSpec(
            "Use macros without sounding like a robot",
            FORMAL,
            day=16,
            due_in=3,
            module="using-macros-without-sounding-like-a-robot",
        ),
        StepSpec(
            "Fix an offline Dial on your own",
            ON_THE_JOB,
            day=18,
            due_in=5,
            confirmed_by=BUDDY,
            job_task="Troubleshoot an offline thermostat",
        ),
        StepSpec(
            "Book a visit that's fixed first time",
            ON_THE_JOB,
            day=18,
            due_in=7,
            job_task="Book an engineer visit",
        ),
        StepSpec(
            "Handle an angry customer from start to finish",
            ON_THE_JOB,
            day=21,
            due_in=5,
            confirmed_by=MANAGER,
            job_task="Handle an angry customer",
        ),
        StepSpec(
            "Review replies with a newer colleague",
            SOCIAL,
            day=25,
            due_in=3,
            instructions="Swap three replies with someone who started after you and give feedback.",
        ),
        StepSpec(
            "Take a full shift on the live queue",
            ON_THE_JOB,
            day=28,
            due_in=2,
            confirmed_by=MANAGER,
            instructions="Your team lead picks the day; your buddy is on hand if you need them.",
        ),
        StepSpec(
            "30-day conversation with your manager",
            SOCIAL,
            day=30,
            due_in=3,
            confirmed_by=MANAGER,
            instructions="Look back at your first month together and agree your goals for the next.",
        ),
    ],
)

FLEX_LAUNCH = EventSpec(
    name="Smart Tariff Flex launch",
    kind=ChangeEvent.Kind.PRODUCT_LAUNCH,
    description=(
        "Smart Tariff Flex, our half-hourly tariff, launches for every Smart Tariff customer. "
        "Support learns it the week before, handles launch day, and looks back a week after."
    ),
    audience=[("", "Support")],
    # Planned for today at first; the learning demo then moves it a week on, as its author would
    # (learning.demo.learners), so the journeys show a launch that slipped.
    days_from_today=0,
    steps=[
        StepSpec(
            "Smart Tariff Flex: what's changing",
            FORMAL,
            day=-7,
            due_in=3,
            module="smart-tariff-flex-whats-changing",
        ),
        StepSpec(
            "Explain Flex in plain words",
            FORMAL,
            day=-5,
            due_in=2,
            module="explaining-smart-tariff-flex-in-plain-words",
        ),
        StepSpec(
            "Practise the Flex explanation with a partner",
            SOCIAL,
            day=-4,
            due_in=2,
            instructions="Explain Flex to each other in under a minute and swap one piece of feedback.",
        ),
        StepSpec(
            "Switch a customer to Flex",
            FORMAL,
            day=-3,
            due_in=2,
            module="switching-a-customer-to-flex",
        ),
        StepSpec(
            "Launch day playbook", FORMAL, day=-1, due_in=1, module="flex-launch-day-playbook"
        ),
        StepSpec(
            "Switch the first Flex customer who asks",
            ON_THE_JOB,
            day=0,
            due_in=2,
            job_task="Switch a customer's tariff",
        ),
        StepSpec(
            "Flex in the first week", FORMAL, day=2, due_in=2, module="flex-first-week-questions"
        ),
        StepSpec(
            "Resolve an “expensive day” ticket",
            ON_THE_JOB,
            day=3,
            due_in=4,
            confirmed_by=MANAGER,
            job_task="Explain Smart Tariff Flex",
            instructions="Find the costliest half hours on the Usage tab and suggest one change.",
        ),
        StepSpec(
            "What we learned in launch week",
            FORMAL,
            day=7,
            due_in=2,
            module="flex-what-we-learned-in-launch-week",
        ),
        StepSpec(
            "Flex launch retrospective",
            SOCIAL,
            day=9,
            due_in=1,
            confirmed_by=MANAGER,
            instructions="Bring your notes: the most common question and an answer that beat the macro.",
        ),
    ],
)

EVENTS = [ONBOARDING, FLEX_LAUNCH]
