// The Kotlin/JVM side of the boundary benchmark (see bindings/tests/python/bench_boundary.py):
// the same calls through the generated Kotlin, after a JIT warm-up. Prints medians in µs.

import java.nio.file.Files
import org.linli.core.*

fun medianUs(n: Int, f: (Int) -> Unit): Double {
    val t = DoubleArray(n)
    for (i in 0 until n) {
        val s = System.nanoTime()
        f(i)
        t[i] = (System.nanoTime() - s) / 1000.0
    }
    t.sort()
    return t[n / 2]
}

fun main() {
    val dir = Files.createTempDirectory("linli-bench")
    val cadre = Device.open(dir.resolve("cadre.db").toString(), null)
    val resident = Device.open(dir.resolve("resident.db").toString(), null)
    val cycle = cadre.createCycle(NewCycle("基准", 2026, "边界", 30_000_000L, 1u, 3u, "greedy", "书记", 80u, 5u))
    resident.join(cadre.invite(cycle))
    cadre.registerMember(cycle, NewMember("居民", resident.deviceKey(), listOf(MemberRole.RESIDENT), true, "当面", null))
    cadre.advancePhase(cycle, CyclePhase.PROPOSALS, "")
    val ids = (0 until 500).map { i ->
        cadre.enterPaperProposal(cycle, NewProposal("提案%03d 加装电梯".format(i), "说明", ProposalCategory.FACILITIES, "3栋", "居民", "走访",
            emptyList(), emptyList(), emptyList(), listOf(BudgetLineInput("全部", 100_000L + i))), "纸质")
    }
    cadre.advancePhase(cycle, CyclePhase.DELIBERATION, "")
    ids.forEach { cadre.review(cycle, it, ReviewOutcome.Shortlist, "可行") }
    cadre.advancePhase(cycle, CyclePhase.VOTING, "")
    resident.importBundle(cycle, cadre.exportBundle(cycle))
    // Warm-up until the JIT has compiled the calling code (C2 needs ~10,000 invocations): the
    // same converters as `vote` (string and list lowering, error checks) through calls that
    // write nothing, so the database is the same as in the Rust run.
    medianUs(20_000) { resident.summary(cycle) }
    medianUs(10_000) { resident.myBallot(cycle) }
    medianUs(3_000) { resident.proposals(cycle, "提案00$it", null) }
    val box = resident.ballotBox(cycle)
    medianUs(10_000) { runCatching { resident.vote(cycle, listOf("not-an-id")) } }
    medianUs(10_000) { runCatching { box.vote(listOf("not-an-id")) } }
    medianUs(100) { resident.proposals(cycle, null, null) }
    // Device.vote and BallotBox.vote alternate, as in the Rust run.
    val votes = DoubleArray(300)
    val boxVotes = DoubleArray(300)
    for (i in 0 until 600) {
        val choice = listOf(ids[i % ids.size])
        val s = System.nanoTime()
        if (i % 2 == 0) resident.vote(cycle, choice) else box.vote(choice)
        val us = (System.nanoTime() - s) / 1000.0
        if (i % 2 == 0) votes[i / 2] = us else boxVotes[i / 2] = us
    }
    votes.sort()
    boxVotes.sort()
    val vote = votes[150]
    val boxVote = boxVotes[150]
    val list = medianUs(100) { check(resident.proposals(cycle, null, null).size == 500) }
    val summary = medianUs(1000) { resident.summary(cycle) }
    println("{\"vote_us\": %.1f, \"box_vote_us\": %.1f, \"list500_us\": %.1f, \"summary_us\": %.1f}".format(vote, boxVote, list, summary))
}
