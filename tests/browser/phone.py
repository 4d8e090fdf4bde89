"""A resident's phone for the console's browser test: the app's own path into the core, the
generated Python binding (bindings/scripts/generate.sh python first; CI does).

    phone.py DB init            -> prints the device key
    phone.py DB join INVITE     -> follows the cycle
    phone.py DB sync ADDR       -> syncs with the tablet over the LAN
    phone.py DB propose TITLE DESCRIPTION LOCATION FEN -> proposes a project
    phone.py DB vote TITLE...   -> votes for the shortlisted proposals with these titles
    phone.py DB meeting         -> prints the id of the latest meeting
    phone.py DB comment ON TEXT -> comments on a proposal, project or meeting
    phone.py DB scan TEXT...    -> takes QR codes' texts (chunks), imports them once complete,
                                   prints the new records and the members it now knows
"""

import os
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, os.environ.get("LINLI_PY_BINDINGS", str(REPO / "target" / "bindings" / "python")))

from linli_ffi import (  # noqa: E402
    BudgetLineInput, ChunkCollector, Device, Language, NewProposal, ProposalCategory, SyncOptions,
)


def main(db, command, *args):
    device = Device.open(db, None)
    device.set_language(Language.EN)
    if command == "init":
        print(device.device_key())
    elif command == "join":
        print(device.join(args[0]))
    elif command == "sync":
        device.sync_with(args[0], SyncOptions(cycle_ids=[], max_blob_bytes=None, peer_key=None), None)
    elif command == "propose":
        title, description, location, fen = args
        print(device.propose(device.cycles()[0].cycle_id, NewProposal(
            title=title, description=description, category=ProposalCategory.ELDERLY_CARE,
            location=location, target_group="老人", needs_assessment="走访", goals=[], steps=[],
            risks=[], budget_lines=[BudgetLineInput(item="全部", amount_fen=int(fen))],
        )))
    elif command == "vote":
        cycle = device.cycles()[0].cycle_id
        by_title = {p.title: p.id for p in device.proposals(cycle, None, None)}
        print(device.vote(cycle, [by_title[t] for t in args]))
    elif command == "meeting":
        print(device.meetings(device.cycles()[0].cycle_id)[0].id)
    elif command == "comment":
        on, text = args
        print(device.comment(device.cycles()[0].cycle_id, on, text, None))
    elif command == "scan":
        cycle = device.cycles()[0].cycle_id
        collector = ChunkCollector()
        for text in args:
            status = collector.add_text(text)
        if not status.complete:
            raise SystemExit(f"missing chunks {status.missing}")
        result = device.import_bundle(cycle, collector.bundle())
        print(result.new_records, device.summary(cycle).members)
    else:
        raise SystemExit(f"unknown command {command}")
    device.close_store()


if __name__ == "__main__":
    main(*sys.argv[1:])
