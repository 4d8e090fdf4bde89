import Foundation
import LinliCore
import SwiftUI

/// Every core call the screens make. The core is synchronous and thread-safe: calls run on a
/// background queue and results are published on the main actor. Screens read only the core's
/// SQLite views, refreshed after every committed change (this phone's, a sync's, an import's).
@MainActor
final class AppModel: ObservableObject {
    @Published var deviceKey = ""
    @Published var cycles: [CycleSummary] = []
    @Published var cycleId: String?
    @Published var summary: CycleSummary?
    @Published var proposals: [ProposalItem] = []
    @Published var myBallot: MyBallot?
    @Published var projects: [ProjectItem] = []
    /// Ticked proposals in tap order (the ranking, for ranked ballots).
    @Published var selected: [String] = []
    /// What a valid ballot is in this cycle (read from its founding record).
    @Published var rules: BallotRules?
    /// The cycle's own satisfaction gate, with its words (never a hard-coded "80 %").
    @Published var gate: SatisfactionGate?
    /// The core's labels of the codes screens show (phase, status, category...), by code.
    @Published var labels: [String: String] = [:]
    @Published var search = ""
    @Published var tabletAddress = "192.168.1.20:7878"
    @Published var sync: SyncProgress?
    @Published var busy = false
    @Published var message: String?
    /// This phone's key as a QR code, for the cadre's tablet to scan when registering it.
    @Published var keyCode: QrCode?
    /// What the last scanned code did, for people (in the phone's language).
    @Published var scanned: String?

    /// The store, opened on `queue` (opening the SQLite file and asking the Keychain block):
    /// never on the main thread. Read only on `queue`, which runs the open first.
    private let core = CoreBox()
    private let queue = DispatchQueue(label: "org.linli.core", qos: .userInitiated)
    private var tabletKey: String?
    /// The open cycle's ballot screen object (rules, my ballot, casting), made once per cycle.
    private var ballotBox: BallotBox?
    /// While the camera is open: the chunks read so far, and every text already handled (the
    /// scanner reports a code again while it stays in view).
    private var collector: ChunkCollector?
    private var seen = Set<String>()

    init() {
        let core = self.core
        let observer = Observer { [weak self] _ in Task { @MainActor in self?.refresh() } }
        busy = true
        queue.async {
            let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let failure: String?
            do {
                let device = try Device.open(path: dir.appendingPathComponent("linli.db").path, keyStore: KeychainSeedStore())
                let chinese = Locale.preferredLanguages.first?.hasPrefix("zh") ?? false
                device.setLanguage(language: chinese ? .zh : .en)
                device.setObserver(observer: observer)
                core.device = device
                failure = nil
            } catch {
                failure = AppModel.explain(error)
            }
            Task { @MainActor in
                self.busy = false
                self.message = failure
                self.refresh()
            }
        }
    }

    /// Runs `read` on the core's queue once the store is open; `fallback` when it is not open or
    /// the read fails.
    private func onCore<T>(_ fallback: T, _ read: @escaping @Sendable (Device) throws -> T) async -> T {
        let core = self.core
        return await withCheckedContinuation { done in
            queue.async { done.resume(returning: core.device.flatMap { try? read($0) } ?? fallback) }
        }
    }

    /// Like `onCore`, passing the core's error on.
    private func onCoreThrowing<T>(_ work: @escaping @Sendable (Device) throws -> T) async throws -> T {
        let core = self.core
        return try await withCheckedThrowingContinuation { done in
            queue.async {
                done.resume(with: Result {
                    guard let device = core.device else { throw LinliError.Closed }
                    return try work(device)
                })
            }
        }
    }

    /// Runs `work` off the main thread; shows the core's message (already in the phone's
    /// language) when it throws.
    private func run(_ work: @escaping @Sendable (Device) throws -> Void) {
        busy = true
        message = nil
        let core = self.core
        queue.async {
            let failure: String?
            do {
                guard let device = core.device else { throw LinliError.Closed }
                try work(device)
                failure = nil
            } catch { failure = AppModel.explain(error) }
            Task { @MainActor in
                self.busy = false
                self.message = failure
                self.refresh()
            }
        }
    }

    nonisolated static func explain(_ error: Error) -> String {
        switch error as? LinliError {
        case .Rejected(_, let detail), .NotOnRoll(let detail), .UnknownCycle(let detail),
             .InvalidInput(let detail), .Storage(let detail), .Sync(_, let detail),
             .KeyStoreUnavailable(let detail):
            return detail
        case .Closed:
            return "closed"
        case nil:
            return error.localizedDescription
        }
    }

    /// Reloads the cycles and the open cycle's first screen.
    func refresh() {
        let core = self.core
        let cycleId = self.cycleId
        let search = self.search
        queue.async {
            guard let device = core.device else { return }
            let key = (try? device.deviceKey()) ?? ""
            let keyCode = try? qrCode(text: key)
            let cycles = (try? device.cycles()) ?? []
            let id = cycleId ?? cycles.first?.cycleId
            let summary = id.flatMap { try? device.summary(cycleId: $0) }
            let proposals = id.flatMap { try? device.proposals(cycleId: $0, search: search.isEmpty ? nil : search, status: nil) } ?? []
            let box = id.flatMap { try? device.ballotBox(cycleId: $0) }
            let ballot = try? box?.myBallot()
            let projects = id.flatMap { try? device.projects(cycleId: $0) } ?? []
            let rules = try? box?.rules()
            let gate = id.flatMap { try? device.satisfactionGate(cycleId: $0) }
            let labels = Dictionary(device.labels().map { ($0.code, $0.label) }, uniquingKeysWith: { a, _ in a })
            Task { @MainActor in
                self.deviceKey = key
                self.keyCode = keyCode
                self.cycles = cycles
                self.cycleId = id
                self.summary = summary
                self.proposals = proposals
                self.myBallot = ballot
                self.projects = projects
                self.rules = rules
                self.gate = gate
                self.labels = labels
                self.ballotBox = box
                if self.selected.isEmpty, let b = ballot { self.selected = b.choices }
                if self.points.isEmpty, let b = ballot, b.points.count == b.choices.count {
                    self.points = Dictionary(zip(b.choices, b.points), uniquingKeysWith: { a, _ in a })
                }
            }
        }
    }

    func join(invite: String) {
        run { device in
            let id = try device.join(invite: invite.trimmingCharacters(in: .whitespacesAndNewlines))
            Task { @MainActor in self.cycleId = id }
        }
    }

    /// What people read for a code the core gives (`voting` → 投票 in Chinese).
    func label(_ code: String) -> String { labels[code] ?? code }

    /// Ticks or unticks a proposal; never more than the cycle's maximum.
    func toggle(_ proposalId: String) {
        if selected.contains(proposalId) {
            selected.removeAll { $0 == proposalId }
        } else if selected.count < Int(rules?.maxPicks ?? UInt32.max) {
            selected.append(proposalId)
        }
    }

    /// Points given to each proposal on a points (cumulative) ballot.
    @Published var points: [String: UInt32] = [:]

    /// The points a voter has on a points ballot (nil for the other ballot types).
    var pointsToGive: UInt32? {
        if case .cumulative(let total) = rules?.ballot { return total }
        return nil
    }

    /// Gives a proposal one more point (or takes one back), never beyond the cycle's points.
    func addPoint(_ proposalId: String, _ delta: Int) {
        guard let total = pointsToGive else { return }
        let now = Int(points[proposalId] ?? 0)
        let next = max(0, now + delta)
        let given = points.values.reduce(0) { $0 + Int($1) } - now + next
        guard given <= Int(total) else { return }
        points[proposalId] = next == 0 ? nil : UInt32(next)
    }

    /// Whether the ballot as it stands can be cast under the cycle's rules.
    var canVote: Bool {
        guard let r = rules else { return false }
        let picks = pointsToGive == nil ? selected.count : points.count
        let given = points.values.reduce(0) { $0 + Int($1) }
        if let total = pointsToGive, !(1...Int(total)).contains(given) { return false }
        return (Int(r.minPicks)...Int(r.maxPicks)).contains(picks)
    }

    func vote() {
        guard let cycle = cycleId else { return }
        let choices = selected
        let given = points.sorted { $0.key < $1.key }
        let withPoints = pointsToGive != nil
        let box = ballotBox?.cycleId() == cycle ? ballotBox : nil
        run { device in
            let b = try box ?? device.ballotBox(cycleId: cycle)
            if withPoints {
                try b.voteWithPoints(choices: given.map { $0.key }, points: given.map { $0.value })
            } else {
                try b.vote(choices: choices)
            }
        }
    }

    /// One project's life, oldest first (read off the main thread).
    func timeline(_ projectId: String) async -> [TimelineEvent] {
        guard let cycle = cycleId else { return [] }
        return await onCore([]) { try $0.timeline(cycleId: cycle, projectId: projectId) }
    }

    /// One proposal in full: description, goals, steps, risks, budget lines (off the main thread).
    func detail(_ proposalId: String) async -> ProposalDetail? {
        guard let cycle = cycleId else { return nil }
        return await onCore(nil) { try $0.proposal(cycleId: cycle, proposalId: proposalId) }
    }

    /// The comments on a proposal or project, oldest first; hidden ones carry the cadre's reason.
    func comments(_ proposalId: String) async -> [CommentItem] {
        guard let cycle = cycleId else { return [] }
        return await onCore([]) { try $0.comments(cycleId: cycle, onId: proposalId) }
    }

    /// Posts a comment (one paragraph, at most 500 characters; the core refuses anything else,
    /// with a message for people), then reads the comments again.
    func comment(_ proposalId: String, text: String) async -> [CommentItem] {
        guard let cycle = cycleId else { return [] }
        do {
            _ = try await onCoreThrowing { try $0.comment(cycleId: cycle, onId: proposalId, text: text, replyTo: nil) }
        } catch {
            message = AppModel.explain(error)
        }
        return await comments(proposalId)
    }

    func report(_ projectId: String, kind: MonitoringKind, text: String, photo: Data?) {
        guard let cycle = cycleId else { return }
        let p = photo.map { Photo(bytes: $0, mime: "image/jpeg", name: "photo.jpg") }
        run { device in _ = try device.monitor(cycleId: cycle, projectId: projectId, kind: kind, text: text, photo: p) }
    }

    /// Rates a finished project, 1 to 5 stars, with an optional comment.
    func rate(_ projectId: String, stars: UInt8, comment: String) {
        guard let cycle = cycleId else { return }
        let remark = comment.trimmingCharacters(in: .whitespacesAndNewlines)
        run { device in _ = try device.rate(cycleId: cycle, projectId: projectId, stars: stars, comment: remark) }
    }

    /// Submits a resident's proposal (the core checks the phase, the pool, the texts and the
    /// categories the programme funds, and says what is wrong).
    func propose(_ proposal: NewProposal) {
        guard let cycle = cycleId else { return }
        run { device in _ = try device.propose(cycleId: cycle, proposal: proposal) }
    }

    /// Meets the community-centre tablet on the LAN; photos over 2 MB stay there.
    func syncWithTablet() {
        let address = tabletAddress.trimmingCharacters(in: .whitespaces)
        let options = SyncOptions(cycleIds: [], maxBlobBytes: 2_000_000, peerKey: tabletKey)
        let listener = ProgressRelay { p in Task { @MainActor in self.sync = p } }
        run { device in
            let done = try device.syncWith(address: address, options: options, listener: listener)
            let key = try device.rememberedPeer(address: address)
            Task { @MainActor in self.sync = done; self.tabletKey = key }
        }
    }

    /// Opens a scanning session: an invite joins its cycle, a tablet's chunks are collected.
    func startScan() {
        collector = ChunkCollector()
        seen = []
        scanned = nil
    }

    func stopScan() { collector = nil }

    /// One code the camera read. The core tells what it is (`readScanned`): an invite joins, a
    /// chunk is added (any order; a damaged or forged one is refused and changes nothing) and the
    /// bundle imported once complete.
    func scanned(_ text: String) {
        guard let collector, seen.insert(text).inserted else { return }
        let cycle = cycleId
        run { device in
            let said: String
            switch readScanned(text: text) {
            case .invite(let invite, _):
                let id = try device.join(invite: invite)
                Task { @MainActor in self.cycleId = id }
                said = String(localized: "scan.joined")
            case .chunk(let chunk):
                let status = try collector.add(chunk: chunk)
                if status.complete, let cycle {
                    let result = try device.importBundle(cycleId: cycle, bundle: try collector.bundle())
                    said = String(localized: "scan.imported \(Int(result.newRecords))")
                } else {
                    said = String(localized: "scan.progress \(Int(status.received)) \(Int(status.total))")
                }
            case .deviceKey:
                said = String(localized: "scan.key")
            case .other:
                said = String(localized: "scan.other")
            }
            Task { @MainActor in self.scanned = said }
        }
    }

    /// What the tablet lacks: since the last sync with it, or everything if this phone never met it.
    nonisolated private static func forTablet(_ device: Device, _ cycle: String, _ tabletKey: String?) throws -> Data {
        try tabletKey.map { try device.exportBundleFor(cycleId: cycle, peerKey: $0) } ?? device.exportBundle(cycleId: cycle)
    }

    /// No network: what the tablet lacks, as the QR codes the screen shows one after the other
    /// (chunks of at most 400 bytes as base45 text: version 15 at most; built off the main thread).
    func offlineCodes() async throws -> [QrCode] {
        guard let cycle = cycleId else { return [] }
        let tabletKey = self.tabletKey
        return try await onCoreThrowing { device in
            let bundle = try AppModel.forTablet(device, cycle, tabletKey)
            return try bundleToChunks(bundle: bundle).map { try qrCode(text: chunkToText(chunk: $0)) }
        }
    }

    /// No network: what the tablet lacks as QR-sized chunk files, for the share sheet (built off
    /// the main thread).
    func offlineChunks() async throws -> [URL] {
        guard let cycle = cycleId else { return [] }
        let tabletKey = self.tabletKey
        return try await onCoreThrowing { device in
            let bundle = try AppModel.forTablet(device, cycle, tabletKey)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bundles", isDirectory: true)
            try? FileManager.default.removeItem(at: dir)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            return try bundleToChunks(bundle: bundle).enumerated().map { i, chunk in
                let url = dir.appendingPathComponent(String(format: "linli-%03d.chunk", i))
                try chunk.write(to: url)
                return url
            }
        }
    }
}

private final class Observer: ChangeObserver, @unchecked Sendable {
    let onChange: (Change) -> Void
    init(_ onChange: @escaping (Change) -> Void) { self.onChange = onChange }
    func onChange(change: Change) { onChange(change) }
}

private final class ProgressRelay: SyncListener, @unchecked Sendable {
    let report: (SyncProgress) -> Void
    init(_ report: @escaping (SyncProgress) -> Void) { self.report = report }
    func onProgress(progress: SyncProgress) { report(progress) }
}

/// ¥1,234.50 from integer fen, formatted by the core (money is never a float).
func yuan(_ fen: Int64) -> String { formatFen(fen: fen) }

/// The device once `queue` has opened it; read and written only on `queue`.
private final class CoreBox: @unchecked Sendable {
    var device: Device?
}
