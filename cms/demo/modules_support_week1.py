"""Demo modules for a new support agent's first week at Brightwave (a fictional home-energy company).

Brightwave sells the Dial smart thermostat, the Cell home battery and the Smart Tariff. Agents work
tickets in Helm (the helpdesk) and look after accounts in Switchboard (the customer admin tool).
"""

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

WELCOME = ModuleSpec(
    slug="welcome-to-brightwave-support",
    title="Welcome to Brightwave Support",
    summary="Know who our customers are, what we promise them, and how your first month is laid out.",
    body=[
        text(
            "Brightwave helps about 400,000 households use less energy and pay less for it. They "
            "come to us through three products: the <b>Dial</b> smart thermostat, the <b>Cell</b> "
            "home battery, and the <b>Smart Tariff</b>, which makes electricity cheaper at the hours "
            "when the grid is quiet.",
            "Most people who contact us are not having a good day. Their heating is off, their bill "
            "is higher than they expected, or the app says something they do not understand. What "
            "they want is simple: to be understood, to get it fixed, and to know what happens next.",
            "That is our promise, and it is written on the wall of every Brightwave office: "
            "<i>one owner, a clear next step, no surprises</i>. One owner means the agent who picks up "
            "a ticket keeps it until it is solved or handed over properly. A clear next step means no "
            "reply ends without telling the customer what happens now. No surprises means we never "
            "promise what we cannot check.",
        ),
        text(
            "<h3>Your first 30 days</h3>",
            "You will not learn this job from modules alone. Each week mixes three things: short "
            "modules like this one, time with your buddy (listening to calls, reviewing replies "
            "together) and real tickets that you handle yourself, first simple ones, then harder ones. "
            "By day 30 you will have handled every common kind of ticket at least once.",
        ),
        takeaway("Our promise on every ticket: one owner, a clear next step, no surprises."),
        question(
            "A customer's heating is off and you need a colleague in billing to check something. "
            "Which reply keeps our promise?",
            [
                ("“I've passed this to billing, they'll be in touch.”", False),
                (
                    "“I've asked our billing team to check your last payment. I'll update you by "
                    "3 pm today, whatever they find.”",
                    True,
                ),
                ("“Billing will sort it out, please don't reply to this email.”", False),
            ],
            "You stay the owner, the customer knows the next step (an update by 3 pm), and you only "
            "promise something you can do yourself: update them.",
        ),
        ask_a_peer(
            "Ask your buddy about a ticket they are proud of, and what made it go well.",
            who="your buddy",
        ),
    ],
)

HELM_TOUR = ModuleSpec(
    slug="finding-your-way-around-helm",
    title="Finding your way around Helm",
    summary="Open, read and reply to a ticket in Helm, and find the customer's account in Switchboard.",
    job_tasks=("Close a ticket",),
    body=[
        video(
            f"{VIDEOS}/helm-tour.mp4",
            "A two-minute tour of Helm",
            120,
            transcript="Helm has three panes: your queue on the left, the conversation in the middle "
            "and the customer's details on the right...",
        ),
        text(
            "Every conversation with a customer is a <b>ticket</b> in Helm, whether it came in by "
            "email, chat, phone or the app. Your queue shows the tickets assigned to you, oldest "
            "first. The coloured bar on the left of each one is its SLA: green means there is time, "
            "amber means less than two hours left before we promised a reply, red means we are late.",
            "The right-hand pane shows who the customer is: their products, their tariff and their "
            "last five tickets. The small <b>Open in Switchboard</b> link takes you to their account, "
            "where you can see devices, bills and payments. Helm is where you talk; Switchboard is "
            "where you change things.",
        ),
        checklist(
            "Before you reply to any ticket",
            "Read the whole conversation, not just the last message",
            "Check the customer's last five tickets in the right-hand pane",
            "Open the account in Switchboard if the ticket is about a device, bill or payment",
            "Check the SLA bar so you know how long you have",
        ),
        question(
            "Where do you change a customer's payment method?",
            [
                ("In Helm, in the customer details pane", False),
                ("In Switchboard, on the customer's account", True),
                ("In the Brightwave app, logged in as the customer", False),
            ],
            "Helm is for conversations; changes to accounts, devices and payments are made in "
            "Switchboard, where every change is logged.",
        ),
        question(
            "A ticket in your queue shows an amber bar. What does it mean?",
            [
                ("The customer is unhappy", False),
                ("Less than two hours are left to reply within our promise", True),
                ("The ticket has been escalated", False),
                ("The ticket is waiting for the customer", False),
            ],
            "The bar is about time, not mood: amber means the reply we promised is due within two hours.",
        ),
        try_on_the_job(
            "Pick the three oldest tickets in the shared training queue. For each one, find the "
            "customer's account in Switchboard and note which products they have.",
            reflection="What did the account tell you that the ticket did not?",
        ),
    ],
)

FIRST_REPLY = ModuleSpec(
    slug="writing-a-first-reply-that-lands",
    title="Writing a first reply that lands",
    summary="Write a first reply that shows you understood, says what you will do, and sets the next step.",
    job_tasks=("Handle an angry customer",),
    body=[
        text(
            "The first reply decides how the rest of the ticket goes. A customer who feels heard in "
            "the first reply forgives a lot; one who gets a template that misses the point writes "
            "back angrier, and the ticket takes three times as long.",
            "A good first reply has three parts, in this order:",
            steps_list(
                "<b>Show you understood.</b> Say the problem back in your own words, with the detail "
                "that matters to them: “Your Dial has shown ‘offline’ since Tuesday, so the heating "
                "schedule isn't running.”",
                "<b>Say what you will do</b>, or what you have already done: “I've checked your "
                "account and the Dial last reported at 06:12 on Tuesday.”",
                "<b>Set the next step</b>, with a time: “Could you try the steps below? If the light "
                "is still red afterwards, reply here and I'll book an engineer the same day.”",
            ),
            "Keep it short. If the reply needs more than five or six lines, put the steps in a "
            "numbered list. Use the customer's name once, at the start, and sign with your own name, "
            "never just “The Support Team”.",
        ),
        takeaway("Understood, what I'm doing, what happens next: in that order, in a few lines."),
        question(
            "Which opening line best shows the customer you understood?",
            [
                ("“Thank you for contacting Brightwave Support.”", False),
                ("“Sorry for any inconvenience caused.”", False),
                (
                    "“Your bill for March was £40 higher than February, even though you were away "
                    "for two weeks, and you want to know why.”",
                    True,
                ),
            ],
            "Only the third line proves someone read the message. The first two could be sent to "
            "anyone, and customers can tell.",
        ),
        try_on_the_job(
            "Write the first reply to your next three tickets using the three parts. Before sending, "
            "underline the sentence that shows you understood.",
            reflection="Which of the three parts was hardest to write, and why?",
        ),
        ask_a_peer(
            "Show your buddy one of those replies and ask: “What would you cut?”",
            who="your buddy",
        ),
    ],
)

VERIFY_IDENTITY = ModuleSpec(
    slug="checking-who-youre-talking-to",
    title="Checking who you're talking to",
    summary="Verify a customer's identity before you change or reveal anything on their account.",
    job_tasks=("Reset a customer's password", "Update billing details"),
    body=[
        text(
            "Before you change anything on an account, or tell anyone something that is on it, you "
            "must know you are talking to the account holder. This protects our customers from "
            "fraud, and it protects you: a change made for the wrong person is a data breach.",
            "Ask for <b>two</b> of these, and check them against Switchboard:",
            steps_list(
                "the email address on the account,",
                "the first line of the address and the postcode,",
                "the last four digits of the card or bank account they pay with,",
                "the amount of their last bill.",
                ordered=False,
            ),
            "Never ask for a full card number, a password or a one-time code. If someone offers one "
            "anyway, stop them, and do not write it in the ticket. If they get details wrong, do not "
            "say which one was wrong: just say you couldn't verify the account and offer to try "
            "again by email from the address we hold.",
        ),
        question(
            "A caller gives the right email address but the wrong postcode. What do you do?",
            [
                ("Tell them the postcode is wrong so they can try again", False),
                ("Ask for a different second detail, such as the last bill amount", True),
                ("Go ahead: the email address is enough", False),
                ("Ask them to read out their full card number instead", False),
            ],
            "You need two matching details. Ask for another one, and never say which detail failed: "
            "that would help someone who is guessing.",
        ),
        question(
            "Which of these may you ask a customer for? Pick all that apply.",
            [
                ("The last four digits of their card", True),
                ("Their Brightwave password", False),
                ("The first line of their address and postcode", True),
                ("The code we just sent to their phone", False),
            ],
            "Partial details we can check are fine. Passwords and one-time codes are never asked for "
            "by anyone at Brightwave, so customers can trust that anyone asking is not us.",
        ),
        takeaway(
            "Two matching details before any change; never a password, a code or a full card number."
        ),
    ],
)

PASSWORD_RESET = ModuleSpec(
    slug="resetting-a-customers-password",
    title="Getting a locked-out customer back in",
    summary="Reset a customer's password or unlock their account in Switchboard in under two minutes.",
    job_tasks=("Reset a customer's password",),
    body=[
        text(
            "“I can't log in” is our most common ticket, and one of the most stressful for customers "
            "when the heating schedule lives in the app. Most of the time the fix takes two minutes.",
            steps_list(
                "Verify the customer (two matching details).",
                "In Switchboard, open the account and look at <b>Sign-in</b>. If it says "
                "<i>Locked</i>, the account was locked after five wrong passwords: choose "
                "<b>Unlock</b>.",
                "Choose <b>Send reset link</b>. The link goes to the email on the account and works "
                "for 30 minutes.",
                "Stay with the customer (on the phone or in chat) until they have set a new password "
                "and signed in.",
            ),
            "If the customer no longer has access to that email address, do not change it yourself: "
            "that is an account recovery, and it goes to the Trust team through the <b>Account "
            "recovery</b> escalation in Helm.",
        ),
        checklist(
            "Password reset",
            "Customer verified with two details",
            "Account unlocked if it showed Locked",
            "Reset link sent to the email on the account",
            "Customer has signed in again",
            "Ticket note says what you did",
        ),
        question(
            "A verified customer says they lost access to the email on their account. What do you do?",
            [
                ("Change the email address in Switchboard, then send the reset link", False),
                ("Send the reset link to the new address they give you", False),
                ("Escalate to the Trust team as an account recovery", True),
            ],
            "Changing the email on an account is how account takeovers happen. The Trust team runs "
            "extra checks before doing it.",
        ),
        try_on_the_job(
            "Handle your next “can't log in” ticket from start to finish while your buddy watches.",
            reflection="How long did it take, and where did you lose time?",
        ),
    ],
)

OFFLINE_DIAL = ModuleSpec(
    slug="troubleshooting-an-offline-dial",
    title="Troubleshooting an offline Dial",
    summary="Get an offline Dial thermostat back online, and know when it's time to book an engineer.",
    job_tasks=("Troubleshoot an offline thermostat", "Book an engineer visit"),
    body=[
        text(
            "When the Dial loses its connection, the heating keeps running on the last schedule it "
            "received, but the customer can no longer change it from the app. Customers usually "
            "notice when the app says <i>Offline</i> or when the schedule stops matching their week.",
            "Look in Switchboard first: the device page shows when the Dial last reported and the "
            "strength of its Wi-Fi signal at the time. A signal of one bar or less usually means the "
            "router was moved or a new router was installed.",
            "Then walk the customer through these steps, in this order, and stop as soon as the light "
            "on the Dial turns white:",
            steps_list(
                "Check the router is on and other devices have internet.",
                "Restart the Dial: hold the dial pressed for ten seconds until the ring flashes.",
                "If they have a new router, reconnect: in the app, <b>Devices → Dial → Wi-Fi</b>.",
                "If the light is still red, turn the power to the boiler off and on at the spur.",
            ),
            "If none of that works, or the Dial's screen is blank, book an engineer: it is covered "
            "for the first three years.",
        ),
        question(
            "The Dial shows “Offline” in the app. Is the customer's heating off?",
            [
                ("Yes: the Dial needs the internet to run the heating", False),
                ("No: it keeps running the last schedule it received", True),
                ("Only if the Cell battery is also offline", False),
            ],
            "The Dial runs its schedule locally. Telling the customer this early takes a lot of "
            "worry out of the conversation.",
        ),
        question(
            "Switchboard shows the Dial's last Wi-Fi signal was one bar. What is the most likely cause?",
            [
                ("A fault in the Dial", False),
                ("The router was moved or replaced", True),
                ("The customer's tariff changed", False),
            ],
            "A weak last signal points to the network, not the device. Ask about a new or moved "
            "router before anything else.",
        ),
        ask_a_peer(
            "Ask your buddy which questions they ask first on an offline-Dial call, and why.",
            who="your buddy",
        ),
    ],
)

BILLING_DETAILS = ModuleSpec(
    slug="updating-billing-details-safely",
    title="Updating billing details safely",
    summary="Change a customer's payment method or Direct Debit date without taking card details yourself.",
    job_tasks=("Update billing details",),
    body=[
        text(
            "Customers change banks, cards expire, pay day moves. Updating billing details is easy, "
            "but it is also where careless handling costs the most, so we follow one rule: "
            "<b>agents never type card or bank details</b>. The customer always enters them in a "
            "secure form we send.",
            steps_list(
                "Verify the customer with two details.",
                "In Switchboard, open <b>Billing → Payment method</b> and choose <b>Send secure "
                "update link</b>. The customer gets a text and an email.",
                "To move the Direct Debit date, choose a new date between the 1st and the 28th. "
                "The change applies from the next bill.",
                "Tell the customer when their next payment will be taken, and how much.",
            ),
            "If a payment has already failed, the account shows a red <i>Arrears</i> tag. Updating "
            "the details does not retry the payment by itself: choose <b>Retry payment</b> once the "
            "customer has updated the details.",
        ),
        question(
            "A customer on the phone wants to read out their new card number to save time. What do you do?",
            [
                ("Type it into Switchboard while they read it out", False),
                ("Write it in the ticket and update it after the call", False),
                ("Politely stop them and send the secure update link", True),
            ],
            "Card and bank details go only through the secure form. This keeps them out of call "
            "recordings, tickets and our own hands.",
        ),
        question(
            "The customer updated their card after a failed payment. What else must you do?",
            [
                ("Nothing: the payment retries automatically", False),
                ("Choose Retry payment in Switchboard", True),
                ("Refund the failed payment", False),
            ],
            "A failed payment stays failed until someone retries it. Retry it and tell the customer "
            "the amount and the date.",
        ),
        takeaway("We send the secure link; the customer types the numbers. Always."),
    ],
)

REFUNDS = ModuleSpec(
    slug="processing-a-refund",
    title="Processing a refund in three steps",
    summary="Give a customer their money back for an order or an overcharge, within your refund limit.",
    job_tasks=("Process a refund",),
    body=[
        text(
            "Customers ask for their money back for three reasons: they return a device within the "
            "30-day trial, they were charged twice or too much, or something went wrong and we want "
            "to make it right. You can refund up to <b>£150</b> on your own; above that, a team lead "
            "approves it in Switchboard.",
            steps_list(
                "<b>Find the payment.</b> In Switchboard, open <b>Billing → Payments</b> and choose "
                "the payment you are refunding. Never refund from a bill that has not been paid.",
                "<b>Choose Refund and pick the reason</b>: trial return, duplicate charge, "
                "overcharge or goodwill. The reason drives our reports, so pick the true one.",
                "<b>Tell the customer</b> the amount and when it arrives: three to five working days "
                "to a card, up to seven to a bank account.",
            ),
            "For a trial return, the refund is released when the device arrives back at our "
            "warehouse, not when the customer posts it. Send the returns label from the same screen "
            "and say so in your reply.",
        ),
        checklist(
            "Refund",
            "Customer verified",
            "Right payment chosen (it has been paid)",
            "True reason picked",
            "Over £150? Sent to a team lead for approval",
            "Customer told the amount and when it arrives",
        ),
        question(
            "A customer was charged twice for March (£96 each time). What do you refund?",
            [
                ("£96, with the reason “duplicate charge”", True),
                ("£192, with the reason “duplicate charge”", False),
                ("£96, with the reason “goodwill”", False),
                ("Nothing until a team lead approves it", False),
            ],
            "Refund the extra payment only, and give the true reason: goodwill is for making "
            "amends, not for our own billing mistakes. £96 is under your £150 limit.",
        ),
        question(
            "When does a customer get their money back for a Dial returned in the trial?",
            [
                ("As soon as they post it", False),
                ("When it arrives back at our warehouse", True),
                ("After 30 days", False),
            ],
            "The refund is released on arrival. Saying so up front prevents the “I posted it a week "
            "ago, where's my money?” ticket.",
        ),
        try_on_the_job(
            "Process your next refund ticket yourself, and ask your team lead to check the reason "
            "you picked.",
            reflection="Was the reason the customer gave the same as the reason you picked?",
        ),
    ],
)

MODULES = [
    WELCOME,
    HELM_TOUR,
    FIRST_REPLY,
    VERIFY_IDENTITY,
    PASSWORD_RESET,
    OFFLINE_DIAL,
    BILLING_DETAILS,
    REFUNDS,
]
