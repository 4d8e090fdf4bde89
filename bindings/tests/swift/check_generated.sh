#!/usr/bin/env bash
# No Swift compiler can be installed on Linux CI here: check that the generated Swift bindings are
# present and complete (every exported method and type), so a macOS developer's `swift test`
# (bindings/tests/swift/LinliCoreTests.swift) compiles against the same API.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bindings/scripts/generate.sh swift
dir=target/bindings/swift
for f in LinliCore.swift LinliCoreFFI.h LinliCoreFFI.modulemap; do
  [ -s "$dir/$f" ] || { echo "missing $dir/$f"; exit 1; }
done
missing=0
for symbol in "class Device" "func createCycle(" "func invite(" "func join(" "func registerMember(" \
  "func advancePhase(" "func propose(" "func enterPaperProposal(" "func review(" "func vote(" \
  "class BallotBox" "func ballotBox(" "func voteWithPoints(" "func rules(" "func votingRules(" "func sealVote(" "func resolveAsSealed(" "func summary(" "func proposals(" "func myBallot(" \
  "func records(" "func verify(" "func exportBundle(" "func importBundle(" "func closeStore(" \
  "func setObserver(" "protocol ChangeObserver" "func monitor(" "func releaseNextInstalment(" "func timeline(" "struct TimelineEvent" "func notesEdit(" "struct NotesDraftItem" \
  "protocol SecureKeyStore" "enum LinliError" "struct NewCycle" "struct VerifyReport" "enum CyclePhase" \
  "func syncInitiate(" "func syncAccept(" "class SyncSession" "func syncWith(" "func serve(" \
  "class SyncServer" "protocol SyncListener" "func exportBundleFor(" "func bundleToChunks(" \
  "class ChunkCollector" "struct SyncOptions" "struct SyncProgress"; do
  if ! grep -q "$symbol" "$dir/LinliCore.swift"; then
    echo "generated Swift lacks: $symbol"; missing=1
  fi
done
# Every core call the iOS demo app makes must exist in the generated Swift.
for call in $(grep -ohE "(device|box\??)\.[a-zA-Z]+\(|bundleToChunks\(" ios-demo/LinliDemo/*.swift | sed -E 's/^(device|box\??)\.//' | sort -u); do
  if ! grep -q "func $call" "$dir/LinliCore.swift"; then
    echo "ios-demo calls $call which the generated Swift lacks"; missing=1
  fi
done
# Every type, field, method label and enum case the iOS demo uses, parsed from both sides.
python3 bindings/tests/swift/check_usage.py --self-test "$dir/LinliCore.swift" ios-demo/LinliDemo/*.swift || missing=1
# The Swift package app teams consume (bindings/swift): its manifest and build script agree.
python3 bindings/swift/check_package.py || missing=1
[ "$missing" -eq 0 ] && echo "swift: 1 passed, 0 failed"
exit "$missing"
