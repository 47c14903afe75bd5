"""`python -m serving.actions <rasa_sdk arguments>`: the action server, without TensorFlow.

    python -m serving.actions --actions actions --port 5055

Exactly `python -m rasa_sdk ...`, except that `import tensorflow` fails in this process, and
that queued lead deliveries (CRM, Slack) are retried in the background from start-up on.
spaCy's machine-learning library (thinc) imports TensorFlow merely because it is installed
(Rasa needs it), and no action uses it: blocking it cuts the action server's resident
memory from about 620 MB to about 130 MB with identical results (README "Performance").
And every log record is redacted (emails; leads/redact.py), whichever handler writes it,
and the files it creates (lead database, outbox) are the owner's only (leads/files.py).
"""

from __future__ import annotations

import sys


def main() -> None:
    sys.modules.setdefault("tensorflow", None)  # type: ignore[arg-type] - `import` then raises ImportError
    from leads.files import private_umask
    from leads.redact import install as redact_logs

    redact_logs()  # every log record of the action server is redacted (emails)
    private_umask()  # the lead database, the outbox, the delivery record: owner only
    from rasa_sdk.__main__ import main as sdk_main

    from leads.delivery import start_background_delivery

    # Lead deliveries to the CRM and Slack that failed (or were cut by a restart) are sent
    # now and retried periodically, on their own thread (leads/delivery.py).
    start_background_delivery()

    sys.argv[0] = "rasa_sdk"
    sdk_main()


if __name__ == "__main__":
    main()
