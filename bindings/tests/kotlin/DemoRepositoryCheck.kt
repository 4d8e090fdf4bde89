// The Android demo's core layer (android-demo/.../LinliRepository.kt: plain Kotlin, no Android
// classes) on the JVM against the generated bindings: a phone joins from an invite, proposes, syncs
// with a tablet serving on the LAN, votes, hands its ballot over as a QR chunk, and scans the
// tablet's chunks. Run by bindings/tests/kotlin/run.sh; any failed check exits non-zero.
package org.linli.demo.check

import java.nio.file.Files
import java.util.concurrent.atomic.AtomicInteger
import org.linli.core.*
import org.linli.demo.LinliRepository

fun main() {
    val dir = Files.createTempDirectory("linli-demo")
    val tablet = Device.open(dir.resolve("tablet.db").toString(), null)
    val cycle = tablet.createCycle(NewCycle("玉林社区", 2026, "2026年度", 30_000_000L, 1u, 2u, "greedy", "李书记", 80u, 2u))
    val server = tablet.serve("127.0.0.1:0")
    val phone = LinliRepository(dir.resolve("phone.db").toString(), null, chinese = true)
    val changes = AtomicInteger()
    phone.observe { changes.incrementAndGet() }

    check(phone.join(tablet.invite(cycle)) == cycle)
    tablet.registerMember(cycle, NewMember("王阿姨", phone.device.deviceKey(), listOf(MemberRole.RESIDENT), true, "当面核验", null))
    tablet.advancePhase(cycle, CyclePhase.PROPOSALS, "")
    var progress = 0
    val first = phone.syncWithTablet(server.address(), 1_000_000L) { progress++ }
    check(first.finished && first.recordsReceived >= 3uL) { first.toString() }
    check(phone.tabletKey == tablet.deviceKey()) { "the phone remembers the tablet it met" }
    check(phone.cycles().single().community == "玉林社区")

    val bench = phone.propose(cycle, NewProposal("院坝休闲座椅", "老人需要歇脚", ProposalCategory.ELDERLY_CARE, "院坝", "老人",
        "走访", emptyList(), emptyList(), emptyList(), listOf(BudgetLineInput("座椅", 1_500_000L))))
    phone.syncWithTablet(server.address(), null) {}
    tablet.advancePhase(cycle, CyclePhase.DELIBERATION, "")
    tablet.review(cycle, bench, ReviewOutcome.Shortlist, "可行")
    tablet.advancePhase(cycle, CyclePhase.VOTING, "")
    val again = phone.syncWithTablet(server.address(), null) {}
    check(again.resumed && again.recordsReceived == 3uL) { again.toString() }

    // A bad vote gets a message for people, in Chinese.
    val bad = runCatching { phone.vote(cycle, listOf("不是编号")) }.exceptionOrNull()
    check(bad is LinliException.InvalidInput && phone.explain(bad).isNotBlank()) { bad.toString() }

    phone.vote(cycle, listOf(bench))
    val home = phone.home(cycle, "座椅")
    check(home.proposals.single().id == bench && home.myBallot?.choices == listOf(bench)) { home.toString() }
    check(home.myBallot == phone.device.myBallot(cycle) && home.myBallot?.status == "cast") { home.toString() }
    check(home.summary.phase == "voting")
    // Codes are shown in the phone's language from the core's labels; the gate from the cycle.
    check(home.label(home.summary.phase) == "居民投票" && home.label("shortlisted") == "入选投票") { home.labels.toString() }
    check(home.label("misuse_of_funds") != "misuse_of_funds" && home.label("from_a_newer_build") == "from_a_newer_build")
    check(home.gate.thresholdPct.toInt() == 80 && home.gate.strictlyAbove && home.gate.label == "满意度超过 80% 前暂缓拨付尾款") { home.gate.toString() }
    check(home.rules == BallotRules(BallotType.Approval, 1u, 2u, "greedy")) { home.rules.toString() }
    val detail = phone.proposal(cycle, bench)
    check(detail?.item?.title == "院坝休闲座椅" && detail.description == "老人需要歇脚") { detail.toString() }

    // A comment from the phone: listed with its source, counted in the proposal list; a
    // too-long one is refused with a message for people.
    phone.comment(cycle, bench, "座椅请放在树荫下")
    val comments = phone.comments(cycle, bench)
    check(comments.single().text == "座椅请放在树荫下" && comments.single().source == "线上") { comments.toString() }
    check(phone.home(cycle, null).proposals.single().comments == 1u)
    val long = runCatching { phone.comment(cycle, bench, "长".repeat(501)) }.exceptionOrNull()
    check(long is LinliException.Rejected && long.code == "text_too_long" && phone.explain(long).contains("500")) { long.toString() }
    check(phone.meeting(cycle) == null)

    // No network: the new ballot and the comment travel as QR codes, which the tablet's camera
    // reads (here: their text) in reverse order and imports.
    val codes = phone.offlineCodes(cycle)
    check(codes.size in 2..4 && codes.all { it.second.version <= 15u }) { "${codes.size} codes" }
    check(codes.all { (_, code) -> code.modules.size.toUInt() == code.size * code.size })
    val collector = ChunkCollector()
    val last = codes.reversed().map { (text, _) -> collector.addText(text) }.last()
    check(last.complete)
    check(tablet.importBundle(cycle, collector.bundle()).newRecords == 2u)
    check(tablet.summary(cycle).voters == 1u)
    check(phone.deviceKeyCode().version <= 5u)
    // Money typed and shown by the core: exact fen, never a float.
    check(parseYuan("1,234.5") == 123_450L && parseYuan("12.345") == null && parseYuan("-5") == null)
    check(formatFen(123_450L) == "¥1,234.50")
    // The library's helpers: a finder pattern's dark corner and light ring; a refusal's code.
    check(phone.deviceKeyCode().isDark(0, 0) && !phone.deviceKeyCode().isDark(1, 1))
    check(long.linliCode() == "text_too_long" && long.linliMessage() == phone.explain(long))

    // The tablet's whole cycle, scanned by the phone in reverse order: nothing new, complete.
    val scanner = phone.Scanner(cycle)
    val status = bundleToChunks(tablet.exportBundle(cycle)).reversed().map { scanner.add(it) }.last()
    check(status.complete)
    // What the camera reads is told apart by the core: chunks, an invite, a key, anything else.
    val back = phone.Scanner(cycle)
    val results = bundleToChunks(tablet.exportBundle(cycle)).map { back.scanned(chunkToText(it)) }
    val done = results.last()
    check(done is LinliRepository.ScanResult.Chunk && done.status.complete && done.newRecords == 0L) { done.toString() }
    check(back.scanned(tablet.invite(cycle)) == LinliRepository.ScanResult.Joined(cycle))
    check(back.scanned(tablet.deviceKey()) == LinliRepository.ScanResult.Key(tablet.deviceKey()))
    check(back.scanned("https://example.org/") == LinliRepository.ScanResult.NotLinli)

    val timeline = phone.timeline(cycle, bench)
    check(timeline.map { it.kind } == listOf("proposal", "review")) { timeline.toString() }
    check(timeline[0].actorName == "王阿姨" && timeline[0].text.contains("院坝休闲座椅"))
    check(changes.get() >= 4) { "observer saw ${changes.get()} changes" }
    check(progress >= 1) { "the listener heard the first sync" }

    server.stop()
    phone.close()
    println("kotlin demo repository: 1 passed, 0 failed")
}
