import LinliCore
import PhotosUI
import SwiftUI

/// Join first; then proposals and the vote, projects, and sync.
struct ContentView: View {
    @EnvironmentObject var model: AppModel

    var body: some View {
        Group {
            if model.cycleId == nil {
                JoinView()
            } else {
                TabView {
                    NavigationStack { ProposalsView() }.tabItem { Label("tab.proposals", systemImage: "list.bullet") }
                    NavigationStack { ProjectsView() }.tabItem { Label("tab.projects", systemImage: "hammer") }
                    NavigationStack { SyncView() }.tabItem { Label("tab.sync", systemImage: "arrow.triangle.2.circlepath") }
                }
            }
        }
        .overlay(alignment: .top) { if model.busy { ProgressView().padding() } }
        .alert(model.message ?? "", isPresented: Binding(get: { model.message != nil }, set: { if !$0 { model.message = nil } })) {
            Button("ok", role: .cancel) {}
        }
    }
}

/// This phone's key, selectable, for the cadre who registers it.
struct DeviceKeyView: View {
    let key: String
    var body: some View {
        VStack(alignment: .leading) {
            Text("device.key").font(.caption)
            Text(key).font(.system(.footnote, design: .monospaced)).textSelection(.enabled)
        }
    }
}

struct JoinView: View {
    @EnvironmentObject var model: AppModel
    @State private var invite = ""
    @State private var scanning = false

    var body: some View {
        Form {
            Section { Text("join.help") }
            Button("scan.invite") { scanning = true }
            Section { TextField("join.invite", text: $invite, axis: .vertical) }
            Button("join.button") { model.join(invite: invite) }.disabled(invite.isEmpty)
            Section {
                DeviceKeyView(key: model.deviceKey)
                if let code = model.keyCode { QrImage(code: code).frame(maxWidth: 240) }
            }
        }
        .sheet(isPresented: $scanning) { ScanView() }
    }
}

struct ProposalsView: View {
    @EnvironmentObject var model: AppModel
    @State private var proposing = false

    var body: some View {
        let voting = model.summary?.phase == "voting"
        List {
            if let s = model.summary {
                Text("summary \(model.label(s.phase)) \(Int(s.proposals)) \(Int(s.voters)) \(yuan(s.poolFen))")
            }
            if let b = model.myBallot { Text("ballot.mine \(b.choices.count) \(model.label(b.status))") }
            if voting, let r = model.rules {
                switch r.ballot {
                case .cumulative(let total):
                    let given = model.points.values.reduce(0) { $0 + Int($1) }
                    Text("vote.points \(Int(total)) \(Int(total) - given)").font(.footnote)
                case .ranked: Text("vote.ranked \(Int(r.minPicks)) \(Int(r.maxPicks))").font(.footnote)
                default: Text("vote.rule \(Int(r.minPicks)) \(Int(r.maxPicks))").font(.footnote)
                }
                // Ballots are pseudonymous, not secret (docs/threat-model.md): say so before a vote.
                Text("vote.visibility").font(.footnote)
            }
            ForEach(model.proposals, id: \.id) { p in
                HStack {
                    if voting && p.status == "shortlisted" && model.pointsToGive == nil {
                        Image(systemName: model.selected.contains(p.id) ? "checkmark.circle.fill" : "circle")
                            .onTapGesture { model.toggle(p.id) }
                    }
                    if voting && p.status == "shortlisted" && model.pointsToGive != nil {
                        Stepper("\(Int(model.points[p.id] ?? 0))", onIncrement: { model.addPoint(p.id, 1) },
                                onDecrement: { model.addPoint(p.id, -1) })
                            .fixedSize()
                    }
                    NavigationLink(destination: TimelineView(projectId: p.id, title: p.title)) {
                        VStack(alignment: .leading) {
                            Text(p.title).font(.headline)
                            Text("\(yuan(p.estimateFen)) · \(model.label(p.status)) · \(model.label(p.category)) · \(p.sealedVotes ?? p.votes)")
                            if let who = p.onBehalfOf { Text("paper.for \(who)").font(.caption) }
                        }
                    }
                }
            }
        }
        .searchable(text: $model.search)
        .onChange(of: model.search) { _ in model.refresh() }
        .navigationTitle(model.summary.map { "\($0.community) · \($0.title)" } ?? "")
        .sheet(isPresented: $proposing) { ProposeView() }
        .toolbar {
            if voting {
                Button("vote.cast \(model.pointsToGive == nil ? model.selected.count : model.points.count)") { model.vote() }
                    .disabled(!model.canVote || model.busy)
            }
            if model.summary?.phase == "proposals" {
                Button("propose") { proposing = true }
            }
        }
    }
}

struct ProjectsView: View {
    @EnvironmentObject var model: AppModel
    @State private var reporting: ProjectItem?

    var body: some View {
        List(model.projects, id: \.id) { p in
            VStack(alignment: .leading, spacing: 6) {
                Text(p.title).font(.headline)
                Text("project.line \(yuan(p.fundedFen)) \(p.contractFen.map(yuan) ?? "—") \(Int(p.progress))")
                ProgressView(value: Double(p.progress), total: 100)
                if p.satisfied {
                    Text("satisfaction.open \(Int(p.goodRatings)) \(Int(p.ratings))")
                } else {
                    Text("satisfaction.closed \(Int(p.goodRatings)) \(Int(p.ratings)) \(model.gate?.label ?? "")")
                }
                ForEach(Array(p.payments.enumerated()), id: \.offset) { _, pay in
                    Text("\(pay.released ? "✔" : "·") \(pay.label) \(yuan(pay.amountFen))").font(.caption)
                }
                HStack {
                    NavigationLink("timeline", destination: TimelineView(projectId: p.id, title: p.title))
                    Button("report") { reporting = p }.buttonStyle(.bordered)
                }
                if p.completed {
                    RatingRow(projectId: p.id)
                }
            }
        }
        .overlay { if model.projects.isEmpty { Text("projects.none") } }
        .sheet(item: $reporting) { p in ReportView(project: p) }
    }
}

extension ProjectItem: Identifiable {}

struct ReportView: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
    let project: ProjectItem
    @State private var kind = MonitoringKind.poorQuality
    @State private var text = ""
    @State private var item: PhotosPickerItem?
    @State private var photo: Data?

    var body: some View {
        NavigationStack {
            Form {
                // Every kind the core knows, misuse of funds included, named by the core's labels.
                Picker("report.kind", selection: $kind) {
                    ForEach(reportKinds) { k in Text(model.label(k.code)).tag(k.value) }
                }
                TextField("report.text", text: $text, axis: .vertical)
                PhotosPicker(selection: $item, matching: .images) { Text(photo == nil ? LocalizedStringKey("photo.add") : LocalizedStringKey("photo.added")) }
                    .onChange(of: item) { newItem in
                        Task { photo = try? await newItem?.loadTransferable(type: Data.self) }
                    }
            }
            .navigationTitle(project.title)
            .toolbar {
                ToolbarItem(placement: .confirmationAction) {
                    Button("send") { model.report(project.id, kind: kind, text: text, photo: photo); dismiss() }.disabled(text.isEmpty)
                }
                ToolbarItem(placement: .cancellationAction) { Button("cancel") { dismiss() } }
            }
        }
    }
}

struct TimelineView: View {
    @EnvironmentObject var model: AppModel
    let projectId: String
    let title: String
    @State private var events: [TimelineEvent] = []
    @State private var detail: ProposalDetail?
    @State private var comments: [CommentItem] = []
    @State private var draft = ""

    var body: some View {
        List {
            if let d = detail {
                Section {
                    Text(d.description)
                    Text("\(d.location) · \(d.targetGroup)").font(.caption)
                    ForEach(d.goals + d.steps + d.risks, id: \.self) { Text("• \($0)").font(.caption) }
                    ForEach(d.budgetLines, id: \.item) { Text("\($0.item): \(yuan($0.amountFen))").font(.caption) }
                }
            }
            ForEach(events, id: \.recordId) { e in
                VStack(alignment: .leading) {
                    Text("\(String(e.at.prefix(10))) · \(e.actorName ?? "?")").font(.caption)
                    Text((e.valid ? "" : "✘ ") + e.text)
                    if let code = e.code { Text(code).font(.caption2).foregroundStyle(.red) }
                }
            }
            Section("comments.title") {
                ForEach(comments, id: \.id) { c in
                    VStack(alignment: .leading) {
                        Text("\(c.author) · \(c.source) · \(String(c.at.prefix(10)))").font(.caption)
                        if let why = c.hiddenReason { Text("comments.hidden \(why)").italic() } else { Text(c.text) }
                    }
                }
                TextField("comments.hint", text: $draft, axis: .vertical)
                Button("comments.post") {
                    let text = draft
                    draft = ""
                    Task { comments = await model.comment(projectId, text: text) }
                }.disabled(draft.trimmingCharacters(in: .whitespaces).isEmpty)
            }
        }
        .navigationTitle(title)
        .task {
            detail = await model.detail(projectId)
            events = await model.timeline(projectId)
            comments = await model.comments(projectId)
        }
    }
}

struct SyncView: View {
    @EnvironmentObject var model: AppModel
    @State private var files: [URL] = []
    @State private var codes: [QrCode] = []
    @State private var showingCodes = false
    @State private var scanning = false

    var body: some View {
        Form {
            Section(footer: Text("sync.help")) {
                TextField("sync.address", text: $model.tabletAddress).keyboardType(.numbersAndPunctuation)
                Button("sync.now") { model.syncWithTablet() }.disabled(model.busy)
                if let p = model.sync {
                    Text("sync.progress \(Int(p.recordsReceived)) \(Int(p.bytesSent + p.bytesReceived))")
                    Text(p.resumed ? LocalizedStringKey("sync.resumed") : LocalizedStringKey("sync.first"))
                }
            }
            Section(footer: Text("offline.help")) {
                Button("codes.show") {
                    Task {
                        do {
                            codes = try await model.offlineCodes()
                            showingCodes = true
                        } catch { model.message = AppModel.explain(error) }
                    }
                }
                Button("scan.codes") { scanning = true }
                Button("offline.prepare") {
                    Task {
                        do { files = try await model.offlineChunks() } catch { model.message = AppModel.explain(error) }
                    }
                }
                if !files.isEmpty { ShareLink("offline.share \(files.count)", items: files) }
            }
            Section { DeviceKeyView(key: model.deviceKey) }
        }
        .sheet(isPresented: $showingCodes) { CodesView(codes: codes) }
        .sheet(isPresented: $scanning) { ScanView() }
    }
}

/// A value of a generated enum with the code the core labels it by.
struct Coded<Value: Hashable>: Identifiable {
    let value: Value
    let code: String
    var id: String { code }
    init(_ value: Value, _ code: String) {
        self.value = value
        self.code = code
    }
}

/// Every report kind, with the code the core labels it by.
private let reportKinds: [Coded<MonitoringKind>] = [
    Coded(.progress, "progress"), Coded(.notStarted, "not_started"),
    Coded(.poorQuality, "poor_quality"), Coded(.misuseOfFunds, "misuse_of_funds"),
]

/// Stars for a finished project, with an optional comment sent along with them.
struct RatingRow: View {
    @EnvironmentObject var model: AppModel
    let projectId: String
    @State private var remark = ""

    var body: some View {
        VStack(alignment: .leading) {
            TextField("rating.comment", text: $remark, axis: .vertical)
            HStack {
                ForEach(1...5, id: \.self) { n in
                    Button("\(n)★") {
                        model.rate(projectId, stars: UInt8(n), comment: remark)
                        remark = ""
                    }.buttonStyle(.borderless)
                }
            }
        }
    }
}

/// A resident's proposal: what, where, for whom, a category the programme offers, and a budget
/// line in yuan, read as exact fen by the core (`parseYuan`). The core checks every rule.
struct ProposeView: View {
    @EnvironmentObject var model: AppModel
    @Environment(\.dismiss) private var dismiss
    @State private var title = ""
    @State private var description = ""
    @State private var location = ""
    @State private var who = ""
    @State private var category = ProposalCategory.elderlyCare
    @State private var item = ""
    @State private var amount = ""

    var body: some View {
        let fen = parseYuan(text: amount)
        NavigationStack {
            Form {
                TextField("proposal.title", text: $title)
                TextField("proposal.description", text: $description, axis: .vertical)
                TextField("proposal.location", text: $location)
                TextField("proposal.forWhom", text: $who)
                Picker("proposal.category", selection: $category) {
                    ForEach(categories) { c in Text(model.label(c.code)).tag(c.value) }
                }
                TextField("budget.item", text: $item)
                TextField("budget.yuan", text: $amount).keyboardType(.decimalPad)
            }
            .navigationTitle("propose")
            .toolbar {
                ToolbarItem(placement: .confirmationAction) {
                    Button("send") {
                        model.propose(NewProposal(
                            title: title, description: description, category: category, location: location,
                            targetGroup: who, needsAssessment: "", goals: [], steps: [], risks: [],
                            budgetLines: [BudgetLineInput(item: item, amountFen: fen ?? 0)]
                        ))
                        dismiss()
                    }.disabled(title.isEmpty || item.isEmpty || (fen ?? 0) <= 0)
                }
                ToolbarItem(placement: .cancellationAction) { Button("cancel") { dismiss() } }
            }
        }
    }
}

/// The categories a proposal may take, with the code the core labels each by.
private let categories: [Coded<ProposalCategory>] = [
    Coded(.elderlyCare, "elderly_care"), Coded(.children, "children"), Coded(.greening, "greening"),
    Coded(.safety, "safety"), Coded(.facilities, "facilities"), Coded(.culture, "culture"),
    Coded(.services, "services"), Coded(.other, "other"), Coded(.capacityBuilding, "capacity_building"),
    Coded(.education, "education"), Coded(.healthCare, "health_care"),
]
