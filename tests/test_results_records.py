"""server/results.py's records: plain data that must survive the trip from a checker
process to the parent unchanged (the fork pool pickles them)."""

from __future__ import annotations

import pickle

from reviewlens.server.results import Diagnostic, EditOut, FileResult, FixOut, Loc, Notice, Options


def _result() -> FileResult:
    edit = EditOut(Loc(1, 0), Loc(1, 5), 10, 15, "")
    fix = FixOut("Delete the print statement", "unsafe", (edit,))
    diagnostic = Diagnostic("RL101", "debug-print", "`print` left in", "warning", "app/x.py", Loc(1, 0), Loc(1, 8),
                            10, 18, ("print(1)",), fix, (fix,), True)
    notice = Notice("app/x.py", "syntax-error", "has syntax errors", False, "detail")
    return FileResult("app/x.py", [diagnostic], [notice], {"RL101": 1}, "diff", b"out", True, ("d", 1, 2, 3))


def test_every_record_round_trips_through_pickle():
    for record in (_result(), FileResult("empty.py"), Options(select=("RL1",), roots=("/r",), cwd="/r", cache_dir="/c")):
        back = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == record and type(back) is type(record) and repr(back) == repr(record)
    full = pickle.loads(pickle.dumps(_result()))
    assert full.diagnostics[0].fix.edits[0].start == Loc(1, 0) and full.notices[0].detail == "detail"
