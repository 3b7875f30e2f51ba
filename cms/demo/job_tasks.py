"""Demo job tasks: what Brightwave's support agents do at work, with the words they search with."""

from cms.demo.specs import JobTaskSpec

JOB_TASKS = [
    JobTaskSpec(
        "Process a refund",
        "Give a customer money back for a trial return, a duplicate charge, an overcharge or as goodwill.",
        (
            "give money back",
            "money back",
            "return an order",
            "reimburse a customer",
            "refund request",
            "charged twice",
            "cancel and refund",
        ),
    ),
    JobTaskSpec(
        "Escalate a ticket",
        "Hand a ticket to Tier 2, Billing, Trust or Safety with a handover nobody has to ask about.",
        (
            "hand over a ticket",
            "pass to tier 2",
            "get help from a specialist",
            "safety issue",
            "log a complaint",
            "transfer a ticket",
        ),
    ),
    JobTaskSpec(
        "Reset a customer's password",
        "Unlock an account and send a password reset link to a verified customer.",
        (
            "locked out",
            "forgot password",
            "can't log in",
            "cannot sign in",
            "account locked",
            "reset link",
        ),
    ),
    JobTaskSpec(
        "Handle an angry customer",
        "Bring an upset or angry customer to the point where you can solve the problem together.",
        (
            "upset customer",
            "complaint",
            "de-escalate",
            "customer shouting",
            "difficult call",
            "calm a customer down",
        ),
    ),
    JobTaskSpec(
        "Log a bug report",
        "Report a problem in the app or on a device so engineering can reproduce and fix it.",
        (
            "report a bug",
            "app not working",
            "app crashes",
            "file an issue with engineering",
            "known issue",
        ),
    ),
    JobTaskSpec(
        "Update billing details",
        "Change a customer's payment method or Direct Debit date through the secure update link.",
        (
            "change card",
            "new bank details",
            "payment method",
            "direct debit date",
            "failed payment",
            "card expired",
        ),
    ),
    JobTaskSpec(
        "Close a ticket",
        "Solve a ticket with the right contact reason and an internal note the next agent can use.",
        (
            "resolve a ticket",
            "mark as solved",
            "wrap up a ticket",
            "contact reason",
            "macro",
            "saved reply",
        ),
    ),
    JobTaskSpec(
        "Troubleshoot an offline thermostat",
        "Get a Dial smart thermostat back online when the app shows it as offline.",
        (
            "dial offline",
            "thermostat not connecting",
            "no wifi",
            "heating app offline",
            "red light on dial",
        ),
    ),
    JobTaskSpec(
        "Book an engineer visit",
        "Book, move or cancel an engineer visit for a Dial or a Cell, and prepare the customer.",
        (
            "send an engineer",
            "technician visit",
            "home visit",
            "repair appointment",
            "installation appointment",
        ),
    ),
    JobTaskSpec(
        "Explain Smart Tariff Flex",
        "Explain half-hourly Flex prices, the 60p cap and who Flex suits, in plain words.",
        (
            "new tariff",
            "half-hourly prices",
            "time of use tariff",
            "flex prices",
            "why was my day expensive",
            "peak hours",
        ),
    ),
    JobTaskSpec(
        "Switch a customer's tariff",
        "Move an eligible customer to another tariff, or back within the 14-day cooling-off period.",
        (
            "change tariff",
            "move to flex",
            "switch back",
            "cooling-off period",
            "tariff eligibility",
        ),
    ),
]
