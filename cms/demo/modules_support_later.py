"""Demo modules for a new support agent's weeks two to four: harder tickets and handing over well."""

from cms.demo.specs import (
    ModuleSpec,
    ask_a_peer,
    checklist,
    question,
    steps_list,
    takeaway,
    text,
    try_on_the_job,
    video,
)

VIDEOS = "https://videos.brightwave.example/support"

ANGRY_CUSTOMER = ModuleSpec(
    slug="calming-an-angry-customer",
    title="Calming an angry customer",
    summary="Bring an angry customer to a point where you can solve their problem together.",
    job_tasks=("Handle an angry customer",),
    body=[
        text(
            "An angry customer is almost always a customer who has been let down more than once: "
            "the heating failed, and then nobody called back. The anger is about the second part. "
            "You cannot solve the problem until they believe someone is finally listening.",
            "Three moves work in almost every case:",
            steps_list(
                "<b>Let them finish.</b> Do not interrupt, even to help. On chat, do not reply "
                "until they have stopped typing.",
                "<b>Name what happened and how it felt</b>, specifically: “You've been without "
                "heating since Sunday and you had to chase us twice. That's not good enough.” "
                "Agreeing with the facts is not admitting fault; it is showing you heard them.",
                "<b>Move to what you will do now</b>, with a time you control: “I'm booking an "
                "engineer now. I'll call you back by 4 pm with the slot.”",
            ),
            "If a customer is abusive (swearing at you, threats), you may end the conversation. "
            "Warn once, calmly, then end it and tell your team lead. Nobody expects you to take abuse.",
        ),
        video(
            f"{VIDEOS}/calming-a-call.mp4",
            "Listen: Priya calms a call about a cold house",
            95,
            transcript="Customer: This is the third time I've called! ... Priya: You've had no heating "
            "since Sunday and you've called us three times. I'm sorry. Let's fix it now...",
        ),
        question(
            "A customer writes: “THIRD time I'm asking. Still no refund. Useless.” Which reply comes first?",
            [
                ("“Please keep your messages polite.”", False),
                (
                    "“You've asked three times and still haven't had your refund. I'm sorry: "
                    "I'm dealing with it now.”",
                    True,
                ),
                ("“Refunds take 3–5 working days.”", False),
            ],
            "Naming what happened (three requests, no refund) shows you listened. The policy can "
            "come later, once they trust you to act.",
        ),
        ask_a_peer(
            "Ask a senior agent to tell you about the hardest call they've had, and what they'd do "
            "the same way again.",
            who="a senior agent",
        ),
        takeaway("Let them finish, name what happened, then say what you'll do and by when."),
    ],
)

ESCALATION = ModuleSpec(
    slug="when-and-how-to-escalate",
    title="When and how to escalate a ticket",
    summary="Know which tickets to hand over, to whom, and how to write a handover nobody has to ask about.",
    job_tasks=("Escalate a ticket",),
    body=[
        text(
            "Escalating is not giving up: it is getting the customer to the person who can fix their "
            "problem. Escalate when <b>any</b> of these is true:",
            steps_list(
                "the fix needs access you don't have (a refund over £150, an account recovery, a "
                "meter change);",
                "it's a safety issue: a burning smell, a hot battery, water near the Cell. Tell the "
                "customer to switch it off at the isolator and escalate as <b>Safety</b> at once;",
                "you've tried the documented steps and the problem is still there;",
                "the customer asks for a complaint to be logged formally.",
                ordered=False,
            ),
            "In Helm, choose <b>Escalate</b> and pick the team: Tier 2 (technical), Billing, Trust "
            "(accounts and fraud) or Safety. Write the handover so the next person does not have to "
            "reread the ticket: what the customer wants, what you checked, what you tried, and what "
            "you told the customer will happen.",
            "You are still the owner towards the customer until the other team replies. Tell the "
            "customer who has the ticket now and when they will hear from us.",
        ),
        question(
            "A customer says their Cell battery feels hot and smells of burning. What do you do first?",
            [
                ("Run the Cell diagnostics from Switchboard", False),
                ("Tell them to switch it off at the isolator, then escalate as Safety", True),
                ("Book an engineer for the next available slot", False),
                ("Ask them to send a photo", False),
            ],
            "Safety comes before diagnosis. Get the customer to switch off and step away, then "
            "escalate as Safety: that team calls back within 15 minutes, day or night.",
        ),
        question(
            "Which handover note lets Tier 2 act without rereading the ticket?",
            [
                ("“Dial offline, please help.”", False),
                (
                    "“Dial offline since 12 May. Router unchanged, restarted Dial and boiler spur, "
                    "still red light. Told customer Tier 2 will call by 5 pm tomorrow.”",
                    True,
                ),
                ("“See conversation below.”", False),
            ],
            "A good handover covers the problem, what was tried and what the customer was promised.",
        ),
        checklist(
            "A handover nobody has to ask about",
            "What the customer wants",
            "What you checked",
            "What you tried, and what happened",
            "What you told the customer, and by when",
        ),
    ],
)

BUG_REPORTS = ModuleSpec(
    slug="writing-a-bug-report-engineers-can-act-on",
    title="Writing a bug report engineers can act on",
    summary="Turn a customer's “the app is broken” into a bug report that engineering can reproduce.",
    job_tasks=("Log a bug report",),
    body=[
        text(
            "When several customers report the same odd behaviour in the app or on a device, it "
            "might be a bug. Engineering fixes what it can reproduce, so the report is only as good "
            "as the detail in it.",
            "First search Helm's <b>Known issues</b> list: if the bug is there, link the ticket to "
            "it and tell the customer we're working on it. If not, log it with <b>Report a bug</b> "
            "and fill in:",
            steps_list(
                "<b>What happened</b> and what the customer expected, in one line each;",
                "<b>Steps to reproduce</b>, numbered, starting from opening the app;",
                "the <b>app version and phone</b> (the customer details pane shows both), or the "
                "device serial number;",
                "when it started, and how many customers you've seen with it;",
                "a screenshot or screen recording, if the customer can send one.",
            ),
        ),
        question(
            "Which line belongs in a bug report?",
            [
                ("“App is broken for this customer.”", False),
                ("“Customer is very frustrated and wants compensation.”", False),
                (
                    "“Android 15, app 4.12.0: tapping Save on the schedule screen closes the app; "
                    "expected the schedule to save.”",
                    True,
                ),
            ],
            "Version, action and what was expected let an engineer try it themselves. How the "
            "customer feels belongs in the ticket, not the bug report.",
        ),
        question(
            "Before logging a new bug, what should you check?",
            [
                ("The Known issues list in Helm", True),
                ("Whether the customer has paid their last bill", False),
                ("Whether engineering is online", False),
            ],
            "A duplicate report splits the evidence. Linking your ticket to a known issue adds "
            "weight to it and lets us tell every affected customer when it's fixed.",
        ),
        try_on_the_job(
            "Next time you meet something that looks like a bug, write the report and ask Tier 2 "
            "whether they could reproduce it from your steps alone.",
            reflection="What did they still have to ask you?",
        ),
    ],
)

CLOSING = ModuleSpec(
    slug="closing-a-ticket-well",
    title="Closing a ticket well",
    summary="Close a ticket so the customer knows it's done and the next agent knows what happened.",
    job_tasks=("Close a ticket",),
    body=[
        text(
            "A ticket is solved when the customer's problem is solved, not when you've replied. "
            "Before you close one, check the customer confirmed it worked, or that you told them "
            "what to do if it didn't.",
            "When you close:",
            steps_list(
                "Set the <b>status</b> to Solved. Helm waits four days before closing it for good; "
                "if the customer replies in that time, it reopens with you.",
                "Pick the <b>contact reason</b> that describes the problem, not the fix: “Dial "
                "offline”, not “Restarted device”.",
                "Write a one-line <b>internal note</b> with what fixed it. The next agent who meets "
                "this customer will read it first.",
            ),
            "If the customer hasn't replied to a question for three working days, send one "
            "reminder. If they still don't reply, set the ticket to Solved with a note saying so.",
        ),
        question(
            "You restarted a customer's Dial and it came back online. Which contact reason do you pick?",
            [
                ("Restarted device", False),
                ("Dial offline", True),
                ("Other", False),
            ],
            "Contact reasons describe why customers contact us. That is how we see that offline "
            "Dials went up after a firmware update, and fix the cause.",
        ),
        takeaway(
            "Solved means the customer's problem is solved; the reason describes the problem."
        ),
        ask_a_peer(
            "Ask your team lead which contact reasons are most often picked wrongly, and why it matters.",
            who="your team lead",
        ),
    ],
)

ENGINEER_VISIT = ModuleSpec(
    slug="booking-an-engineer-visit",
    title="Booking an engineer visit",
    summary="Book, move or cancel an engineer visit, and prepare the customer so it's fixed first time.",
    job_tasks=("Book an engineer visit",),
    body=[
        text(
            "An engineer visit costs us about £90 and the customer half a day at home, so we book "
            "one only when remote steps have failed, and we make sure it works first time.",
            "In Switchboard, open the device and choose <b>Book visit</b>. Pick the fault type, the "
            "slot the customer chooses (morning 8–12 or afternoon 12–5) and add a note for the "
            "engineer with what was tried. Visits for Dials under three years old, and for every "
            "Cell, are free; older Dials cost £65, and you must say so before booking.",
            "Tell the customer three things: the slot, that the engineer will text 30 minutes "
            "before arriving, and that someone over 18 must be home with access to the boiler or "
            "the Cell.",
        ),
        checklist(
            "Before you book",
            "Remote troubleshooting tried and noted",
            "Warranty checked (free or £65)",
            "Slot agreed with the customer",
            "Note for the engineer written",
            "Customer told: slot, text 30 minutes before, adult at home",
        ),
        question(
            "A customer's Dial is four years old and still offline after every remote step. What do "
            "you tell them before booking?",
            [
                ("Nothing: visits are always free", False),
                ("That the visit costs £65 because the Dial is out of warranty", True),
                ("That we can't send engineers for old devices", False),
            ],
            "Dials are covered for three years. Say the price before booking, never on the invoice.",
        ),
        try_on_the_job(
            "Book your next engineer visit with the checklist open, and ask the engineer afterwards "
            "(through the Field channel) whether your note helped.",
        ),
    ],
)

MACROS = ModuleSpec(
    slug="using-macros-without-sounding-like-a-robot",
    title="Using macros without sounding like a robot",
    summary="Use Helm's saved replies to save time while still writing to the person in front of you.",
    job_tasks=("Close a ticket",),
    body=[
        text(
            "Helm has about 80 <b>macros</b>: saved replies for common answers, such as the steps "
            "to reconnect a Dial or how refunds are paid. They save time and keep our answers "
            "accurate. They also make replies sound the same to everyone, which customers notice.",
            "Use a macro for the part that is always the same (the steps, the policy) and write the "
            "first and last lines yourself: the line that shows you understood, and the line with the "
            "next step. Delete anything in the macro that doesn't apply to this customer.",
            "If you change the same macro the same way three times, suggest the change in the "
            "<b>#macros</b> channel. Macros get better because agents improve them.",
        ),
        question(
            "Which part of a reply should you always write yourself?",
            [
                ("The reconnection steps", False),
                ("The first line, showing you understood the customer", True),
                ("The refund timescales", False),
            ],
            "Steps and policies are the same for everyone, so a macro keeps them accurate. "
            "Understanding is personal: only you can write it.",
        ),
        ask_a_peer(
            "Ask your buddy which three macros they use most, and what they change in them every time.",
            who="your buddy",
        ),
    ],
)

MODULES = [ANGRY_CUSTOMER, ESCALATION, BUG_REPORTS, CLOSING, ENGINEER_VISIT, MACROS]
