package org.linli.demo

import java.io.Closeable
import org.linli.core.ChangeObserver
import org.linli.core.Change
import org.linli.core.ChunkCollector
import org.linli.core.ChunkStatus
import org.linli.core.CommentItem
import org.linli.core.CycleSummary
import org.linli.core.Device
import org.linli.core.Language
import org.linli.core.MonitoringKind
import org.linli.core.BallotBox
import org.linli.core.BallotRules
import org.linli.core.MyBallot
import org.linli.core.ProposalDetail
import org.linli.core.NewProposal
import org.linli.core.Photo
import org.linli.core.ProjectItem
import org.linli.core.ProposalItem
import org.linli.core.QrCode
import org.linli.core.SatisfactionGate
import org.linli.core.ScannedCode
import org.linli.core.SecureKeyStore
import org.linli.core.SyncListener
import org.linli.core.SyncOptions
import org.linli.core.SyncProgress
import org.linli.core.TimelineEvent
import org.linli.core.bundleToChunks
import org.linli.core.labelMap
import org.linli.core.linliMessage
import org.linli.core.chunkToText
import org.linli.core.qrCode
import org.linli.core.readScanned

/**
 * Everything the screens need from the Linli core, in plain Kotlin (no Android classes), so the
 * same file is compiled and exercised on the JVM by bindings/tests/kotlin/run.sh.
 *
 * Every call blocks on SQLite or the network: the view model calls it on Dispatchers.IO, never on
 * the main thread. The core is thread-safe; one repository per app process.
 */
class LinliRepository(dbPath: String, keys: SecureKeyStore?, chinese: Boolean) : Closeable {
    /** This phone's store: its SQLite file, its key, every cycle it follows. */
    val device: Device = Device.open(dbPath, keys)

    /** One ballot box per cycle, made once: casting through it crosses into Rust less often. */
    private val boxes = java.util.concurrent.ConcurrentHashMap<String, BallotBox>()

    /** The tablet this phone last synced with (its device key), so the next sync resumes. */
    @Volatile
    var tabletKey: String? = null

    init {
        device.setLanguage(if (chinese) Language.ZH else Language.EN)
    }

    /** The first screen of one cycle. */
    data class Home(
        val summary: CycleSummary,
        val proposals: List<ProposalItem>,
        val myBallot: MyBallot?,
        val projects: List<ProjectItem>,
        /** What a valid ballot is in this cycle: the vote screen enforces it before voting. */
        val rules: BallotRules,
        /** The cycle's own satisfaction gate, with its words (never a hard-coded "80 %"). */
        val gate: SatisfactionGate,
        /** Labels of the codes the screen shows (phase, status, category...), from the core. */
        val labels: Map<String, String>,
    ) {
        /** What people read for a code: `voting` → 投票 in Chinese. */
        fun label(code: String): String = labels[code] ?: code
    }

    /** The core's labels in this phone's language, read once (they never change at run time). */
    val labels: Map<String, String> by lazy { device.labelMap() }

    /** Calls [onChange] after every committed change (an action, an import, a sync). */
    fun observe(onChange: (Change) -> Unit) {
        device.setObserver(object : ChangeObserver {
            override fun onChange(change: Change) = onChange(change)
        })
    }

    /** This phone's device key (64 hex digits), shown for the cadre to register on the roll. */
    fun deviceKey(): String = device.deviceKey()

    /** The cycles this phone follows. */
    fun cycles(): List<CycleSummary> = device.cycles()

    /** Joins a community cycle from the invite a cadre shows as a QR code. Returns the cycle id. */
    fun join(invite: String): String = device.join(invite.trim())

    /** The ballot screen's object for a cycle (its rules, my ballot, casting). */
    fun ballotBox(cycleId: String): BallotBox = boxes.getOrPut(cycleId) { device.ballotBox(cycleId) }

    /** Summary, proposals (searched when [search] is not blank), my ballot and funded projects. */
    fun home(cycleId: String, search: String?): Home {
        val box = ballotBox(cycleId)
        return Home(
            summary = device.summary(cycleId),
            proposals = device.proposals(cycleId, search?.takeIf { it.isNotBlank() }, null),
            myBallot = box.myBallot(),
            projects = device.projects(cycleId),
            rules = box.rules(),
            gate = device.satisfactionGate(cycleId),
            labels = labels,
        )
    }

    /** Submits a resident's proposal. Returns its id. */
    fun propose(cycleId: String, proposal: NewProposal): String = device.propose(cycleId, proposal)

    /** Casts (or replaces) this resident's ballot; [home] shows it afterwards. */
    fun vote(cycleId: String, choices: List<String>) = ballotBox(cycleId).vote(choices)

    /** Casts a points ballot (cumulative cycles): `points[i]` goes to `choices[i]`. */
    fun voteWithPoints(cycleId: String, choices: List<String>, points: List<UInt>) =
        ballotBox(cycleId).voteWithPoints(choices, points)

    /** One proposal in full (description, goals, steps, risks, budget lines), or null. */
    fun proposal(cycleId: String, proposalId: String): ProposalDetail? = device.proposal(cycleId, proposalId)

    /** One project's life, oldest first. */
    fun timeline(cycleId: String, projectId: String): List<TimelineEvent> = device.timeline(cycleId, projectId)

    /** Reports on the works ("nothing has been done", "poor quality"), with an optional photo. */
    fun report(cycleId: String, projectId: String, kind: MonitoringKind, text: String, photo: Photo?): String =
        device.monitor(cycleId, projectId, kind, text, photo)

    /** The comments on a proposal or project (or a meeting), oldest first; hidden ones say why. */
    fun comments(cycleId: String, onId: String): List<CommentItem> = device.comments(cycleId, onId)

    /** Posts a comment (one paragraph) on a proposal, a project or the council's meeting. */
    fun comment(cycleId: String, onId: String, text: String): String = device.comment(cycleId, onId, text.trim(), null)

    /** The council meeting residents can follow from home (the latest), or null. */
    fun meeting(cycleId: String) = device.meetings(cycleId).firstOrNull()

    /** Rates a finished project, 1 to 5 stars. */
    fun rate(cycleId: String, projectId: String, stars: Int, comment: String): String =
        device.rate(cycleId, projectId, stars.toUByte(), comment)

    /**
     * Syncs every cycle with the tablet at the community centre ("192.168.1.20:7878"). Photos over
     * [maxPhotoBytes] stay on the tablet. Remembers the tablet's key so the next sync resumes in
     * one round trip.
     */
    fun syncWithTablet(address: String, maxPhotoBytes: Long?, onProgress: (SyncProgress) -> Unit): SyncProgress {
        val options = SyncOptions(emptyList(), maxPhotoBytes?.toULong(), tabletKey)
        val listener = object : SyncListener {
            override fun onProgress(progress: SyncProgress) = onProgress(progress)
        }
        val done = device.syncWith(address.trim(), options, listener)
        tabletKey = device.rememberedPeer(address.trim())
        return done
    }

    /**
     * With no network at all: what the tablet lacks (everything, if this phone never met it) as
     * QR-sized chunks (at most 400 bytes each; a ballot is two or three).
     */
    fun offlineChunks(cycleId: String): List<ByteArray> {
        val key = tabletKey
        val bundle = if (key != null) device.exportBundleFor(cycleId, key) else device.exportBundle(cycleId)
        return bundleToChunks(bundle)
    }

    /**
     * The same chunks as the QR codes the screen shows one after the other, each with the text it
     * carries (base45): a version-15 code at most, which another phone's camera reads.
     */
    fun offlineCodes(cycleId: String): List<Pair<String, QrCode>> =
        offlineChunks(cycleId).map { chunkToText(it) }.map { it to qrCode(it) }

    /** The QR code for this phone's key, for the cadre's tablet to scan when registering it. */
    fun deviceKeyCode(): QrCode = qrCode(deviceKey())

    /** What one scan did. */
    sealed class ScanResult {
        /** An invite: this phone now follows the cycle. */
        data class Joined(val cycleId: String) : ScanResult()

        /** A chunk of a bundle: how many of its chunks are in; imported once `status.complete`. */
        data class Chunk(val status: ChunkStatus, val newRecords: Long) : ScanResult()

        /** A device key: a cadre's tablet registers it; a resident's phone has no use for it. */
        data class Key(val key: String) : ScanResult()

        /** Not a Linli code. */
        object NotLinli : ScanResult()
    }

    /**
     * Collects what the camera reads: an invite joins its cycle, chunks are collected (any order,
     * duplicates ignored) and imported into [cycleId] once complete. The core tells the codes
     * apart ([readScanned]); a damaged or forged chunk throws and changes nothing.
     */
    inner class Scanner(private val cycleId: String?) {
        private val collector = ChunkCollector()

        /** Adds one scanned chunk's bytes; returns how far the bundle is, and imports it when complete. */
        fun add(chunk: ByteArray): ChunkStatus = take(chunk).status

        /** Handles the text of one scanned QR code. */
        fun scanned(text: String): ScanResult = when (val code = readScanned(text)) {
            is ScannedCode.Invite -> ScanResult.Joined(join(code.invite))
            is ScannedCode.DeviceKey -> ScanResult.Key(code.key)
            is ScannedCode.Chunk -> take(code.chunk)
            ScannedCode.Other -> ScanResult.NotLinli
        }

        /** Collects a chunk and, once its bundle is complete, imports it into [cycleId]. */
        private fun take(chunk: ByteArray): ScanResult.Chunk {
            val status = collector.add(chunk)
            if (!status.complete) return ScanResult.Chunk(status, 0L)
            val cycle = cycleId ?: error("join a cycle before scanning its records")
            return ScanResult.Chunk(status, device.importBundle(cycle, collector.bundle()).newRecords.toLong())
        }
    }

    /** A message for people: the core's messages are already in the device's language. */
    fun explain(e: Throwable): String = e.linliMessage()

    override fun close() {
        boxes.values.forEach { it.close() }
        boxes.clear()
        device.closeStore()
    }
}
