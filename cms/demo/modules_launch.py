"""Demo modules for the launch of Smart Tariff Flex: some to read before launch day, some after."""

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

WHATS_CHANGING = ModuleSpec(
    slug="smart-tariff-flex-whats-changing",
    title="Smart Tariff Flex: what's changing",
    summary="Know what Smart Tariff Flex is, who gets it and what changes for customers on launch day.",
    job_tasks=("Explain Smart Tariff Flex",),
    body=[
        video(
            "https://videos.brightwave.example/launch/flex-in-90-seconds.mp4",
            "Smart Tariff Flex in 90 seconds",
            90,
            transcript="Smart Tariff Flex is our first tariff where the price changes every half "
            "hour, following the wholesale market...",
        ),
        text(
            "Today the Smart Tariff has two prices: a cheap rate from midnight to 7 am and a standard "
            "rate the rest of the day. <b>Smart Tariff Flex</b> replaces the two fixed rates with a "
            "price for every half hour, published the afternoon before in the app. When the wind "
            "blows and demand is low, electricity can be very cheap; at the evening peak (4–7 pm) it "
            "can cost more than the standard rate.",
            "Flex has a price cap: a half hour never costs more than 60p per kWh. Customers with a "
            "Cell battery gain the most, because the Cell charges itself in the cheapest half hours "
            "and powers the home at the peak.",
            "Nobody is moved to Flex automatically. Existing Smart Tariff customers can switch from "
            "launch day; new customers can choose it when they sign up.",
        ),
        question(
            "What is the most a half hour of electricity can cost on Smart Tariff Flex?",
            [
                ("There is no maximum", False),
                ("60p per kWh", True),
                ("The same as the standard rate", False),
            ],
            "The 60p cap is the answer to the fear customers raise most: “What if prices spike?”",
        ),
        question(
            "Which customers are moved to Flex on launch day?",
            [
                ("All Smart Tariff customers", False),
                ("Customers with a Cell battery", False),
                ("None: customers choose to switch", True),
            ],
            "Flex is opt-in. If a customer thinks they were moved without asking, check their "
            "tariff history in Switchboard: something else has gone wrong.",
        ),
        takeaway(
            "Flex: a price every half hour, known the day before, capped at 60p, and only if you choose it."
        ),
    ],
)

EXPLAINING_FLEX = ModuleSpec(
    slug="explaining-smart-tariff-flex-in-plain-words",
    title="Explaining Smart Tariff Flex in plain words",
    summary="Explain Flex to a customer in three sentences, and tell who it suits and who it doesn't.",
    job_tasks=("Explain Smart Tariff Flex",),
    body=[
        text(
            "Most customers don't want to hear about wholesale markets. They want to know whether "
            "Flex will save them money. Start from how they use energy, then explain:",
            steps_list(
                "“With Flex, the price changes every half hour, and the app shows tomorrow's prices "
                "each afternoon.”",
                "“If you can run the dishwasher, charge the car or let your Cell charge when it's "
                "cheap, you pay less than today.”",
                "“If most of your use is between 4 and 7 pm and can't move, you'd probably pay "
                "more, so your current tariff may suit you better.”",
            ),
            "Flex suits customers with a Cell, an electric car or a heat pump, and people who are "
            "home in the day. It suits less well people who cook, wash and heat mostly at the "
            "evening peak. The <b>Flex estimate</b> in Switchboard uses the customer's last twelve "
            "months to estimate what they would have paid: quote it, with the words “based on last "
            "year”, never as a promise.",
        ),
        question(
            "A customer works nights, sleeps in the day and cooks at 6 pm. Should you recommend Flex?",
            [
                ("Yes: Flex always saves money", False),
                ("Check the Flex estimate first: evening cooking may cost more", True),
                ("No: Flex is only for customers with a Cell", False),
            ],
            "Flex saves money for flexible use. Look at the estimate, and if the peak matters to "
            "them, say so honestly.",
        ),
        question(
            "How should you quote the Flex estimate?",
            [
                ("“You will save £120 a year.”", False),
                ("“Based on last year's use, you would have paid about £120 less.”", True),
                ("“Flex saves everyone around £120.”", False),
            ],
            "The estimate looks back, not forward. Quoting it as a promise leads to complaints when "
            "prices or habits change.",
        ),
        ask_a_peer(
            "Pair with another agent: each explains Flex to the other as if to a customer, in under "
            "a minute. Swap and give one piece of feedback each.",
            who="another agent on your team",
        ),
    ],
)

SWITCHING = ModuleSpec(
    slug="switching-a-customer-to-flex",
    title="Switching a customer to Flex",
    summary="Switch an eligible customer to Smart Tariff Flex and tell them what happens next.",
    job_tasks=("Switch a customer's tariff", "Explain Smart Tariff Flex"),
    body=[
        text(
            "Most customers will switch in the app, but some will ask you to do it. A customer can "
            "switch if they have a working smart meter that sends half-hourly readings, and no "
            "arrears. Switchboard shows a green <i>Flex eligible</i> tag when both are true.",
            steps_list(
                "Verify the customer and check the <i>Flex eligible</i> tag.",
                "Open <b>Tariff → Change tariff</b>, choose Smart Tariff Flex and the start date "
                "(the earliest is tomorrow).",
                "Read the short confirmation script on screen: the cap, the peak hours and the "
                "14-day cooling-off period.",
                "Tell the customer the first Flex prices will appear in the app the afternoon "
                "before their start date.",
            ),
            "If the tag is missing, the screen tells you why: the meter (book a meter check) or "
            "arrears (help the customer clear them first).",
        ),
        checklist(
            "Switching to Flex",
            "Customer verified",
            "Flex eligible tag is green",
            "Start date agreed (tomorrow at the earliest)",
            "Confirmation script read: cap, peak hours, 14-day cooling-off",
            "Customer told when first prices appear",
        ),
        question(
            "Switchboard doesn't show the Flex eligible tag for a customer with arrears. What do you do?",
            [
                ("Switch them anyway: Flex could lower their bills", False),
                ("Help them clear or plan the arrears first, then switch", True),
                ("Tell them Flex isn't available in their area", False),
            ],
            "Eligibility protects customers who are already struggling from price swings. Be honest "
            "about the reason and help with the arrears.",
        ),
        try_on_the_job(
            "On launch day, switch the first Flex customer who asks you, with the checklist open.",
            reflection="Which part of the confirmation script did the customer ask about?",
        ),
    ],
)

LAUNCH_DAY = ModuleSpec(
    slug="flex-launch-day-playbook",
    title="Flex launch day playbook",
    summary="Know how the team works on launch day: queues, known issues and where to ask for help.",
    job_tasks=("Escalate a ticket",),
    body=[
        text(
            "We expect about three times the usual number of contacts in the first three days, most "
            "of them questions rather than problems. On launch day:",
            steps_list(
                "Flex tickets go to their own queue, <b>Flex</b>, so questions don't bury urgent "
                "heating tickets. Pick from it when your own queue is clear.",
                "The Flex launch lead sits in the <b>#flex-launch</b> channel all day. Ask there "
                "first; they'll update the known issues list in Helm every two hours.",
                "If the app shows no prices for tomorrow after 6 pm, it's a known risk: don't log "
                "individual bugs, link tickets to the <i>Flex prices missing</i> issue.",
                "Use the new macro <b>Flex – what is it</b> for the first reply to general questions, "
                "and write the first and last lines yourself.",
                ordered=False,
            ),
        ),
        question(
            "At 7 pm on launch day, several customers say tomorrow's Flex prices aren't in the app. "
            "What do you do?",
            [
                ("Log a new bug report for each ticket", False),
                ("Link the tickets to the “Flex prices missing” known issue", True),
                ("Switch the customers back to the Smart Tariff", False),
            ],
            "One known issue with many linked tickets tells engineering how many customers are hit, "
            "and lets us update them all at once.",
        ),
        takeaway(
            "Flex queue for Flex questions, #flex-launch for help, known issues before new bugs."
        ),
    ],
)

FIRST_WEEK = ModuleSpec(
    slug="flex-first-week-questions",
    title="Flex in the first week: bill worries and switching back",
    summary="Answer the questions Flex customers ask in their first week, including how to switch back.",
    job_tasks=(
        "Explain Smart Tariff Flex",
        "Switch a customer's tariff",
        "Handle an angry customer",
    ),
    body=[
        text(
            "In the first week, customers see real prices for the first time, and a few will be "
            "surprised by an expensive evening. The two questions you'll hear most are “Why was "
            "yesterday so expensive?” and “Can I go back?”",
            "For the first, open the customer's <b>Usage</b> tab in Switchboard: it shows their use "
            "and the price for each half hour. Usually most of the cost is in the 4–7 pm peak. "
            "Show them which appliance moves would help (the dishwasher after 9 pm, the Cell's "
            "<i>Peak shield</i> setting) rather than just saying prices vary.",
            "For the second: yes. Within 14 days of switching, customers can go back to the Smart "
            "Tariff at no cost, and we recalculate the days on Flex at whichever price was lower. "
            "After 14 days they can still switch, but without the recalculation.",
        ),
        question(
            "A customer switched to Flex ten days ago and wants to go back. What can you offer?",
            [
                ("Nothing: the switch is final", False),
                ("A switch back, with the Flex days recalculated at the lower price", True),
                ("A switch back for a £30 fee", False),
            ],
            "Within the 14-day cooling-off period, they go back at no cost and pay the lower of the "
            "two prices for the days on Flex.",
        ),
        question(
            "Where do you see which half hours made a Flex customer's day expensive?",
            [
                ("The Usage tab in Switchboard", True),
                ("The customer's last bill", False),
                ("The Known issues list in Helm", False),
            ],
            "The Usage tab shows use and price per half hour side by side, which turns “prices "
            "vary” into advice the customer can use.",
        ),
        try_on_the_job(
            "Take a Flex “expensive day” ticket, find the costliest half hours on the Usage tab and "
            "suggest one change the customer could make.",
            reflection="Did the customer decide to stay on Flex?",
        ),
    ],
)

LAUNCH_LESSONS = ModuleSpec(
    slug="flex-what-we-learned-in-launch-week",
    title="Flex: what we learned in launch week",
    summary="Share what customers asked in launch week, and help improve the macros and known issues.",
    job_tasks=("Explain Smart Tariff Flex", "Log a bug report"),
    body=[
        text(
            "A launch isn't over on launch day. In the second week, we look back at what customers "
            "asked, which answers worked, and what should change in the app, the macros and this "
            "library.",
            "Before the team retrospective, look through your Flex tickets from the week and note:",
            steps_list(
                "the question you answered most often;",
                "an answer that worked better than the macro;",
                "anything in the app that confused customers more than once.",
                ordered=False,
            ),
            "Bring your notes to the retrospective. Changes to macros go to <b>#macros</b>; app "
            "problems become bug reports with the ticket numbers attached.",
        ),
        ask_a_peer(
            "Before the retrospective, compare notes with two other agents: which question did all "
            "of you hear most?",
            who="two agents on your team",
        ),
        question(
            "Several customers were confused by the same screen in the app. Where does that go?",
            [
                ("Into a bug report or product feedback, with the ticket numbers", True),
                ("Nowhere: customers will get used to it", False),
                ("Into each customer's internal note only", False),
            ],
            "Ticket numbers turn “customers find it confusing” into evidence the product team can "
            "weigh against other work.",
        ),
        checklist(
            "Retrospective notes",
            "Most common question",
            "An answer that beat the macro",
            "Anything in the app that confused customers twice or more",
        ),
    ],
)

MODULES = [WHATS_CHANGING, EXPLAINING_FLEX, SWITCHING, LAUNCH_DAY, FIRST_WEEK, LAUNCH_LESSONS]
