// The generated Swift bindings (what the iOS app uses) driving a whole cycle. Run on macOS with
// bindings/tests/swift/run-macos.sh (no Swift toolchain can be installed on the Linux CI, which
// checks instead that the generated Swift is complete: check_generated.sh).

import Foundation
import XCTest
@testable import LinliCore

final class MemoryKeys: SecureKeyStore, @unchecked Sendable {
    var seed: Data?
    var stores = 0
    func loadSeed() -> Data? { seed }
    func storeSeed(seed: Data) { self.seed = seed; stores += 1 }
}

func proposal(_ title: String, _ fen: Int64) -> NewProposal {
    NewProposal(title: title, description: "说明", category: .safety, location: "3栋", targetGroup: "全体居民",
                needsAssessment: "走访", goals: ["安全"], steps: ["施工"], risks: [],
                budgetLines: [BudgetLineInput(item: "材料", amountFen: fen)])
}

func sync(_ a: Device, _ b: Device, _ cycle: String) throws {
    _ = try b.importBundle(cycleId: cycle, bundle: a.exportBundle(cycleId: cycle))
    _ = try a.importBundle(cycleId: cycle, bundle: b.exportBundle(cycleId: cycle))
}

final class LinliCoreTests: XCTestCase {
    func testWholeCycleGivesOneVerifiedTally() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let keys = MemoryKeys()
        let cadre = try Device.open(path: dir.appendingPathComponent("cadre.db").path, keyStore: nil)
        let residents = try [Device.open(path: dir.appendingPathComponent("r0.db").path, keyStore: keys)]
            + (1...2).map { try Device.open(path: dir.appendingPathComponent("r\($0).db").path, keyStore: nil) }
        for d in residents + [cadre] { d.setLanguage(language: .en) }
        let cycle = try cadre.createCycle(input: NewCycle(community: "玉林社区", year: 2026, title: "测试",
            budgetPoolFen: 30_000_000, minPicks: 1, maxPicks: 2, rule: "greedy", founderName: "李书记",
            satisfactionThresholdPct: 80, minRatings: 2))
        let invite = try cadre.invite(cycleId: cycle)
        for (i, r) in residents.enumerated() {
            XCTAssertEqual(try r.join(invite: invite), cycle)
            _ = try cadre.registerMember(cycleId: cycle, input: NewMember(displayName: "居民\(i)", deviceKey: try r.deviceKey(),
                roles: [.resident], age15Plus: true, attestation: "当面核验", memberId: nil))
            try sync(cadre, r, cycle)
        }
        XCTAssertEqual(keys.stores, 1)

        XCTAssertThrowsError(try residents[0].vote(cycleId: cycle, choices: [cycle])) { error in
            guard case LinliError.Rejected(let code, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(code, "wrong_phase")
        }
        _ = try cadre.advancePhase(cycleId: cycle, to: .proposals, note: "")
        for r in residents { try sync(cadre, r, cycle) }
        XCTAssertThrowsError(try residents[0].propose(cycleId: cycle, proposal: proposal("", 1000)))
        let a = try residents[0].propose(cycleId: cycle, proposal: proposal("夜间照明", 6_000_000))
        let b = try residents[1].propose(cycleId: cycle, proposal: proposal("消防设施", 5_000_000))
        for r in residents { try sync(r, cadre, cycle) }
        _ = try cadre.advancePhase(cycleId: cycle, to: .deliberation, note: "")
        for p in [a, b] { _ = try cadre.review(cycleId: cycle, proposalId: p, outcome: .shortlist, reason: "可行") }
        _ = try cadre.advancePhase(cycleId: cycle, to: .voting, note: "")
        for r in residents { try sync(cadre, r, cycle) }
        let detail = try XCTUnwrap(try residents[0].proposal(cycleId: cycle, proposalId: a))
        XCTAssertEqual(detail.item.title, "夜间照明")
        XCTAssertEqual(detail.budgetLines.map(\.amountFen), [6_000_000])
        XCTAssertEqual(try residents[0].votingRules(cycleId: cycle),
            BallotRules(ballot: .approval, minPicks: 1, maxPicks: 2, rule: "greedy"))
        _ = try residents[0].vote(cycleId: cycle, choices: [a])
        // The ballot screen's object: bound to the cycle, no ballot id returned.
        let box = try residents[1].ballotBox(cycleId: cycle)
        XCTAssertEqual(box.cycleId(), cycle)
        XCTAssertEqual(try box.rules(), try residents[1].votingRules(cycleId: cycle))
        XCTAssertNil(try box.myBallot())
        XCTAssertThrowsError(try box.vote(choices: ["不是编号"]))
        try box.vote(choices: [a, b])
        XCTAssertEqual(try box.myBallot()?.choices, [a, b])
        XCTAssertThrowsError(try residents[1].ballotBox(cycleId: UUID().uuidString.lowercased())) { error in
            guard case LinliError.UnknownCycle = error else { return XCTFail("\(error)") }
        }
        _ = try residents[2].vote(cycleId: cycle, choices: [b])
        for r in residents { try sync(r, cadre, cycle) }
        _ = try cadre.sealVote(cycleId: cycle, note: "封票")
        for r in residents { try sync(cadre, r, cycle) }
        let reports = try ([cadre] + residents).map { try $0.verify(cycleId: cycle) }
        for r in reports {
            XCTAssertTrue(r.matchesDeviceState)
            XCTAssertEqual(r.sealId, reports[0].sealId)
            XCTAssertEqual(r.result, reports[0].result)
        }
        XCTAssertEqual(reports[0].result.map(\.score).reduce(0, +), 4)
        cadre.closeStore()
        XCTAssertThrowsError(try cadre.summary(cycleId: cycle))
    }
}
