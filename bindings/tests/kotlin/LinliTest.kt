// The generated Kotlin bindings (the same code an Android app uses) driving a whole cycle on the
// JVM through JNA. Run by bindings/tests/kotlin/run.sh; any failed check exits non-zero.

import java.nio.file.Files
import kotlin.concurrent.thread
import org.linli.core.*

class MemoryKeys : SecureKeyStore {
    var seed: ByteArray? = null
    var stores = 0
    override fun loadSeed(): ByteArray? = seed
    override fun storeSeed(seed: ByteArray) { this.seed = seed; stores++ }
}

fun proposal(title: String, fen: Long) = NewProposal(
    title = title, description = "说明", category = ProposalCategory.SAFETY, location = "3栋",
    targetGroup = "全体居民", needsAssessment = "走访", goals = listOf("安全"), steps = listOf("施工"),
    risks = emptyList(), budgetLines = listOf(BudgetLineInput(item = "材料", amountFen = fen)),
)

fun sync(a: Device, b: Device, cycle: String) {
    b.importBundle(cycle, a.exportBundle(cycle))
    a.importBundle(cycle, b.exportBundle(cycle))
}

// One sync session, its messages carried by the app (here: in memory).
fun session(a: Device, b: Device, hint: String?): SyncProgress {
    val initiator = a.syncInitiate(SyncOptions(cycleIds = emptyList(), maxBlobBytes = null, peerKey = hint))
    val responder = b.syncAccept(SyncOptions(cycleIds = emptyList(), maxBlobBytes = null, peerKey = null))
    var message = initiator.start()!!
    while (true) {
        val reply = responder.receive(message) ?: break
        message = initiator.receive(reply) ?: break
    }
    check(initiator.isFinished() && responder.isFinished())
    check(initiator.peerKey() == b.deviceKey())
    return initiator.progress()
}

inline fun <reified E : Throwable> expect(what: String, block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        check(e is E) { "$what: expected ${E::class.simpleName}, got $e" }
        return e
    }
    error("$what: expected ${E::class.simpleName}, nothing was thrown")
}

fun main() {
    val dir = Files.createTempDirectory("linli-kotlin")
    val keys = MemoryKeys()
    val cadre = Device.open(dir.resolve("cadre.db").toString(), null)
    val residents = listOf(Device.open(dir.resolve("r0.db").toString(), keys)) +
        (1..2).map { Device.open(dir.resolve("r$it.db").toString(), null) }
    (residents + cadre).forEach { it.setLanguage(Language.EN) }
    val cycle = cadre.createCycle(NewCycle("玉林社区", 2026, "测试", 30_000_000L, 1u, 2u, "mes", "李书记", 80u, 2u))
    val invite = cadre.invite(cycle)
    residents.forEachIndexed { i, r ->
        check(r.join(invite) == cycle)
        cadre.registerMember(cycle, NewMember("居民$i", r.deviceKey(), listOf(MemberRole.RESIDENT), true, "当面核验", null))
        sync(cadre, r, cycle)
    }
    check(keys.stores == 1 && keys.seed!!.size == 32) { "the app's key store holds the seed" }

    // Bad input: typed exceptions, nothing written.
    val early = expect<LinliException.Rejected>("vote before voting") { residents[0].vote(cycle, listOf(cycle)) }
    check(early.code == "wrong_phase") { early.toString() }
    cadre.advancePhase(cycle, CyclePhase.PROPOSALS, "开始征集")
    residents.forEach { sync(cadre, it, cycle) }
    val empty = expect<LinliException.Rejected>("empty title") { residents[0].propose(cycle, proposal("", 1000)) }
    check(empty.code == "text_empty")
    val negative = expect<LinliException.Rejected>("negative amount") { residents[0].propose(cycle, proposal("负数", -1)) }
    check(negative.code == "invalid_amount")
    val over = expect<LinliException.Rejected>("over the pool") { residents[0].propose(cycle, proposal("太贵", 30_000_001)) }
    check(over.code == "over_budget")
    expect<LinliException.Rejected>("huge title") { residents[0].propose(cycle, proposal("长".repeat(50_000), 1000)) }
    expect<LinliException.InvalidInput>("bad id") { residents[0].vote(cycle, listOf("nope")) }
    expect<LinliException.InvalidInput>("corrupt bundle") { residents[0].importBundle(cycle, byteArrayOf(1, 2, 3)) }
    check(residents[0].summary(cycle).invalid == 0u && residents[0].summary(cycle).proposals == 0u)

    // The cycle.
    val a = residents[0].propose(cycle, proposal("夜间照明", 6_000_000))
    val b = residents[1].propose(cycle, proposal("消防设施", 5_000_000))
    val c = residents[2].propose(cycle, proposal("充电棚", 9_000_000))
    residents.forEach { sync(it, cadre, cycle) }
    cadre.advancePhase(cycle, CyclePhase.DELIBERATION, "")
    listOf(a, b, c).forEach { cadre.review(cycle, it, ReviewOutcome.Shortlist, "可行") }
    cadre.advancePhase(cycle, CyclePhase.VOTING, "")
    residents.forEach { sync(cadre, it, cycle) }
    val detail = residents[2].proposal(cycle, a)!!
    check(detail.goals == listOf("安全") && detail.steps == listOf("施工") && detail.item.status == "shortlisted") { detail.toString() }
    check(detail.budgetLines.single().amountFen == detail.item.estimateFen && detail.attachments.isEmpty()) { detail.toString() }
    check(residents[2].proposal(cycle, java.util.UUID.randomUUID().toString()) == null)
    // Two threads racing to vote for the same resident (one through the device, one through its
    // ballot box): both succeed, one ballot remains.
    val racers = listOf(
        thread { residents[0].vote(cycle, listOf(a)) },
        thread { residents[0].ballotBox(cycle).vote(listOf(b)) },
    )
    racers.forEach { it.join() }
    check(residents[0].myBallot(cycle)!!.choices.single() in listOf(a, b))
    // The ballot screen's object: rules, casting, reading back.
    val box = residents[1].ballotBox(cycle)
    check(box.cycleId() == cycle && box.rules() == residents[1].votingRules(cycle) && box.myBallot() == null)
    expect<LinliException.Rejected>("three picks of two") { box.vote(listOf(a, b, c)) }
    box.vote(listOf(a, c))
    check(box.myBallot() == residents[1].myBallot(cycle) && box.myBallot()!!.choices == listOf(a, c)) { box.myBallot().toString() }
    expect<LinliException.UnknownCycle>("unknown cycle") { residents[1].ballotBox(java.util.UUID.randomUUID().toString()) }
    // An observer that calls into the core while the vote that told it is still in progress (a
    // screen refreshing itself): the nested calls' outcomes, a typed error included, stay theirs
    // and the vote itself succeeds.
    val nested = mutableListOf<String>()
    residents[1].setObserver(object : ChangeObserver {
        override fun onChange(change: Change) {
            val proposals = residents[1].summary(cycle).proposals
            val error = runCatching { residents[1].proposal(cycle, "not-an-id") }.exceptionOrNull()
            nested.add("$proposals ${error?.javaClass?.simpleName}")
        }
    })
    box.vote(listOf(c, a))
    residents[1].setObserver(null)
    check(nested == listOf("3 InvalidInput")) { nested.toString() }
    check(box.myBallot()!!.choices.toSet() == setOf(a, c)) { box.myBallot().toString() }
    residents[2].vote(cycle, listOf(c))
    residents.forEach { sync(it, cadre, cycle) }
    cadre.sealVote(cycle, "封票")
    residents.forEach { sync(cadre, it, cycle) }
    val reports = (listOf(cadre) + residents).map { it.verify(cycle) }
    reports.forEach { r ->
        check(r.matchesDeviceState)
        check(r.sealId == reports[0].sealId && r.result == reports[0].result) { "every device recomputes the same tally" }
    }
    check(reports[0].rule == "mes" && reports[0].sealedBallots == 3u)
    check(reports[0].result.sumOf { it.score } == 4uL) { reports[0].result.toString() }
    check(residents[2].summary(cycle).sealed)
    // The proposal's timeline on a resident's phone: submitted, reviewed, sealed.
    val timeline = residents[2].timeline(cycle, a)
    check(timeline.map { it.kind } == listOf("proposal", "review", "seal")) { timeline.toString() }
    check(timeline[0].amountFen == 6_000_000L && timeline[1].text.contains("可行")) { timeline.toString() }
    check(residents[2].timeline(cycle, java.util.UUID.randomUUID().toString()).isEmpty())

    // Sync sessions through the binding: a phone that never synced by session catches up, the
    // next meeting resumes, and hostile bytes get the typed error.
    val fresh = Device.open(dir.resolve("r3.db").toString(), null)
    check(fresh.join(cadre.invite(cycle)) == cycle)
    val first = session(fresh, cadre, null)
    check(first.recordsReceived > 0uL) { first.toString() }
    check(fresh.verify(cycle).result == reports[0].result) { "the new phone recomputes the same tally" }
    val again = session(fresh, cadre, cadre.deviceKey())
    check(again.resumed && again.messagesReceived == 1u && again.recordsReceived == 0uL) { again.toString() }
    // Roundtable notes typed on two devices at once merge at the next session.
    val draft = residents[0].notesOpen(cycle, "第一桌")
    residents[0].notesEdit(cycle, draft, 0u, 0u, "同意。")
    session(residents[0], cadre, cadre.deviceKey())
    residents[0].notesEdit(cycle, draft, 3u, 0u, "下周开工。")
    cadre.notesEdit(cycle, draft, 0u, 0u, "全体")
    session(residents[0], cadre, cadre.deviceKey())
    session(residents[0], cadre, cadre.deviceKey())
    listOf(cadre, residents[0]).forEach { d ->
        check(d.notes(cycle).single().text == "全体同意。下周开工。") { d.notes(cycle).toString() }
    }
    expect<LinliException.Rejected>("an edit past the end") { cadre.notesEdit(cycle, draft, 99u, 0u, "x") }
    val responder = cadre.syncAccept(SyncOptions(cycleIds = emptyList(), maxBlobBytes = null, peerKey = null))
    val bad = expect<LinliException.Sync>("garbage sync bytes") { responder.receive(byteArrayOf(76, 78, 76, 83, 9)) }
    check(bad.code == "sync_truncated") { bad.toString() }
    val magic = expect<LinliException.Sync>("not a sync message") { responder.receive("hello, world".toByteArray()) }
    check(magic.code == "sync_bad_magic") { magic.toString() }
    // QR chunks: the whole cycle as a bundle, scanned in reverse order and twice.
    val chunks = bundleToChunks(cadre.exportBundle(cycle))
    check(chunks.size > 1 && chunks.all { it.size <= 400 })
    val collector = ChunkCollector()
    var status: ChunkStatus? = null
    (chunks + chunks).reversed().forEach { status = collector.add(it) }
    check(status!!.complete && status!!.total == chunks.size.toUInt())
    check(fresh.importBundle(cycle, collector.bundle()).newRecords == 0u)
    expect<LinliException.InvalidInput>("a missing chunk") { ChunkCollector().bundle() }

    // The ballot screen reads the cycle's rules; a cumulative cycle counts points.
    check(residents[0].votingRules(cycle) == BallotRules(BallotType.Approval, 1u, 2u, "mes")) { residents[0].votingRules(cycle).toString() }
    val points = cadre.createCycle(NewCycle("玉林社区", 2026, "积分", 30_000_000L, 1u, 3u, "greedy", "李书记", 80u, 2u, ballot = BallotType.Cumulative(5u)))
    val phone = residents[1]
    check(phone.join(cadre.invite(points)) == points)
    cadre.registerMember(points, NewMember("居民", phone.deviceKey(), listOf(MemberRole.RESIDENT), true, "当面核验", null))
    cadre.advancePhase(points, CyclePhase.PROPOSALS, "")
    val handrail = cadre.enterPaperProposal(points, proposal("扶手", 1_000_000), "王奶奶")
    val lights = cadre.enterPaperProposal(points, proposal("照明", 2_000_000), "张爷爷")
    cadre.advancePhase(points, CyclePhase.DELIBERATION, "")
    listOf(handrail, lights).forEach { cadre.review(points, it, ReviewOutcome.Shortlist, "可行") }
    cadre.advancePhase(points, CyclePhase.VOTING, "")
    sync(cadre, phone, points)
    check(phone.votingRules(points).ballot == BallotType.Cumulative(5u))
    val tooMany = expect<LinliException.Rejected>("6 of 5 points") { phone.voteWithPoints(points, listOf(handrail, lights), listOf(4u, 2u)) }
    check(tooMany.code == "rule_violation") { tooMany.toString() }
    check(phone.myBallot(points) == null)
    val pointsBox = phone.ballotBox(points)
    pointsBox.voteWithPoints(listOf(lights, handrail), listOf(4u, 1u))
    check(pointsBox.myBallot()!!.points == listOf(4u, 1u))
    phone.voteWithPoints(points, listOf(handrail, lights), listOf(3u, 2u))
    check(phone.myBallot(points)!!.points == listOf(3u, 2u))
    sync(phone, cadre, points)
    val scores = cadre.proposals(points, null, null).associate { it.id to it.votes }
    check(scores == mapOf(handrail to 3uL, lights to 2uL)) { scores.toString() }

    val cadreBox = cadre.ballotBox(points)
    cadre.closeStore()
    expect<LinliException.Closed>("closed device") { cadre.summary(cycle) }
    expect<LinliException.Closed>("ballot box of a closed device") { cadreBox.vote(listOf(handrail)) }
    println("kotlin: 1 passed, 0 failed")
}
