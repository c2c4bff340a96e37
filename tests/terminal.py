"""Starting newsdesk as a person's terminal does, for the tests that press Ctrl-C.

A process inherits its parent's ignored and blocked signals. A test process may have SIGINT
blocked or ignored by then (something earlier in the same pytest worker: a pool's helper
processes are started with SIGINT masked, for one), and a refresh started from it would then
never see the Ctrl-C the test sends. A terminal's shell starts a command with SIGINT
delivered and Python's KeyboardInterrupt handler in place: so does this.
"""

from __future__ import annotations

import sys

AS_FROM_A_TERMINAL = [
    sys.executable,
    "-c",
    "import runpy, signal, sys; "
    "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); "
    "signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv[0] = 'newsdesk'; "
    "runpy.run_module('newsdesk', run_name='__main__', alter_sys=True)",
]
"""The command line that runs `python -m newsdesk` (append its arguments) as a terminal would."""
