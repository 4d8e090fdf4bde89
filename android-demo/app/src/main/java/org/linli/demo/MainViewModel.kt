package org.linli.demo

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import java.io.File
import java.util.Locale
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.linli.core.BallotType
import org.linli.core.CommentItem
import org.linli.core.CycleSummary
import org.linli.core.MonitoringKind
import org.linli.core.NewProposal
import org.linli.core.Photo
import org.linli.core.SyncProgress
import org.linli.core.ProposalDetail
import org.linli.core.QrCode
import org.linli.core.TimelineEvent
import org.linli.core.linliMessage

/** What the screens show. Every field comes from the core's SQLite views, never from memory. */
data class UiState(
    val deviceKey: String = "",
    val cycles: List<CycleSummary> = emptyList(),
    val cycleId: String? = null,
    val home: LinliRepository.Home? = null,
    val search: String = "",
    val selected: Set<String> = emptySet(),
    /** Points given to each proposal on a points (cumulative) ballot, by proposal id. */
    val points: Map<String, Int> = emptyMap(),
    val timeline: Pair<String, List<TimelineEvent>>? = null,
    /** The tapped proposal in full, shown above its timeline. */
    val detail: ProposalDetail? = null,
    /** Residents' comments on the tapped proposal or project. */
    val comments: List<CommentItem> = emptyList(),
    val tabletAddress: String = "192.168.1.20:7878",
    val sync: SyncProgress? = null,
    /** This phone's key as a QR code, for the cadre's tablet to scan. */
    val keyCode: QrCode? = null,
    /** No network: what the tablet lacks, as the QR codes shown one after the other. */
    val offlineCodes: List<QrCode> = emptyList(),
    /** The camera is open, reading invites and chunks. */
    val scanning: Boolean = false,
    /** What the last scan did, for people (in the phone's language). */
    val scanned: String? = null,
    val busy: Boolean = false,
    val message: String? = null,
)

/**
 * Runs every core call on Dispatchers.IO (they block on SQLite or the LAN) and republishes the
 * screens' data after each committed change, whoever made it: this phone, a sync, an import.
 */
class MainViewModel(app: Application) : AndroidViewModel(app) {
    private val _state = MutableStateFlow(UiState())
    val state: StateFlow<UiState> = _state

    /**
     * The store, opened on Dispatchers.IO: opening the SQLite file and asking the Keystore for
     * the seed block, so never on the main thread. Every call below awaits it.
     */
    private val repoReady: Deferred<LinliRepository> = viewModelScope.async(Dispatchers.IO) {
        LinliRepository(
            dbPath = File(app.filesDir, "linli.db").path,
            keys = KeystoreSeedStore(app),
            chinese = Locale.getDefault().language == "zh",
        ).also { it.observe { refresh() } }
    }

    private suspend fun repo(): LinliRepository = repoReady.await()

    init {
        refresh()
    }

    private fun run(block: suspend () -> Unit) {
        viewModelScope.launch {
            _state.update { it.copy(busy = true, message = null) }
            try {
                withContext(Dispatchers.IO) { block() }
            } catch (e: Exception) {
                _state.update { it.copy(message = e.linliMessage()) }
            } finally {
                _state.update { it.copy(busy = false) }
            }
        }
    }

    /** Reloads the cycles and the open cycle's first screen. */
    fun refresh() = viewModelScope.launch(Dispatchers.IO) {
        try {
            val repo = repo()
            val cycles = repo.cycles()
            val cycleId = _state.value.cycleId ?: cycles.firstOrNull()?.cycleId
            val home = cycleId?.let { repo.home(it, _state.value.search) }
            val keyCode = _state.value.keyCode ?: repo.deviceKeyCode()
            _state.update { s ->
                s.copy(deviceKey = repo.deviceKey(), keyCode = keyCode, cycles = cycles, cycleId = cycleId, home = home,
                    selected = if (s.selected.isEmpty()) home?.myBallot?.choices?.toSet() ?: emptySet() else s.selected)
            }
        } catch (e: Exception) {
            // The store could not open (a locked keystore) or a read failed: say so, never crash.
            _state.update { it.copy(message = e.linliMessage()) }
        }
    }

    fun join(invite: String) = run {
        val id = repo().join(invite)
        _state.update { it.copy(cycleId = id) }
        refresh()
    }

    fun open(cycleId: String) {
        _state.update { it.copy(cycleId = cycleId, selected = emptySet(), timeline = null) }
        refresh()
    }

    fun search(text: String) {
        _state.update { it.copy(search = text) }
        refresh()
    }

    /** Ticks or unticks a proposal; never more than the cycle's maximum (tap order is the ranking). */
    fun toggle(proposalId: String) = _state.update {
        val max = it.home?.rules?.maxPicks?.toInt() ?: Int.MAX_VALUE
        when {
            proposalId in it.selected -> it.copy(selected = it.selected - proposalId)
            it.selected.size >= max -> it
            else -> it.copy(selected = it.selected + proposalId)
        }
    }

    /** Gives one more point to a proposal (or takes one back), never beyond the cycle's points. */
    fun addPoint(proposalId: String, delta: Int) = _state.update {
        val total = (it.home?.rules?.ballot as? BallotType.Cumulative)?.points?.toInt() ?: 0
        val now = it.points[proposalId] ?: 0
        val next = (now + delta).coerceAtLeast(0)
        if (it.points.values.sum() - now + next > total) it
        else it.copy(points = (it.points + (proposalId to next)).filterValues { v -> v > 0 })
    }

    /** Casts the ballot: the ticked proposals, or the points given on a points ballot. */
    fun vote() = run {
        val s = _state.value
        val cycle = s.cycleId ?: return@run
        if (s.home?.rules?.ballot is BallotType.Cumulative) {
            val given = s.points.entries.toList()
            repo().voteWithPoints(cycle, given.map { it.key }, given.map { it.value.toUInt() })
        } else {
            repo().vote(cycle, s.selected.toList())
        }
    }

    fun propose(proposal: NewProposal) = run { repo().propose(_state.value.cycleId ?: return@run, proposal) }

    fun showTimeline(projectId: String?) = run {
        val cycle = _state.value.cycleId ?: return@run
        _state.update {
            it.copy(
                timeline = projectId?.let { p -> p to repo().timeline(cycle, p) },
                detail = projectId?.let { p -> repo().proposal(cycle, p) },
                comments = projectId?.let { p -> repo().comments(cycle, p) } ?: emptyList(),
            )
        }
    }

    /** Posts a comment on the open proposal or project, then shows it. */
    fun comment(projectId: String, text: String) = run {
        val cycle = _state.value.cycleId ?: return@run
        repo().comment(cycle, projectId, text)
        _state.update { it.copy(comments = repo().comments(cycle, projectId)) }
    }

    fun report(projectId: String, kind: MonitoringKind, text: String, photo: Photo?) =
        run { repo().report(_state.value.cycleId ?: return@run, projectId, kind, text, photo) }

    fun rate(projectId: String, stars: Int, comment: String) =
        run { repo().rate(_state.value.cycleId ?: return@run, projectId, stars, comment) }

    fun setTabletAddress(address: String) = _state.update { it.copy(tabletAddress = address) }

    /** Meets the community-centre tablet on the LAN; photos over 2 MB stay there. */
    fun syncWithTablet() = run {
        val done = repo().syncWithTablet(_state.value.tabletAddress, 2_000_000L) { p -> _state.update { it.copy(sync = p) } }
        _state.update { it.copy(sync = done) }
    }

    /** No network: writes what the tablet lacks as chunk files to share (file, Bluetooth, chat). */
    fun exportOffline(onReady: (List<File>) -> Unit) = run {
        val cycle = _state.value.cycleId ?: return@run
        val dir = File(getApplication<Application>().cacheDir, "bundles").apply { deleteRecursively(); mkdirs() }
        val files = repo().offlineChunks(cycle).mapIndexed { i, bytes ->
            File(dir, "linli-%03d.chunk".format(i)).apply { writeBytes(bytes) }
        }
        withContext(Dispatchers.Main) { onReady(files) }
    }

    /** No network: shows what the tablet lacks as QR codes, for its camera. */
    fun showOfflineCodes() = run {
        val cycle = _state.value.cycleId ?: return@run
        val codes = repo().offlineCodes(cycle).map { it.second }
        _state.update { it.copy(offlineCodes = codes) }
    }

    fun hideOfflineCodes() = _state.update { it.copy(offlineCodes = emptyList()) }

    private var scanner: LinliRepository.Scanner? = null
    private val seen = HashSet<String>()

    /** Opens the camera: an invite joins its cycle, a tablet's chunks are collected and imported. */
    fun startScan() {
        scanner = null
        seen.clear()
        _state.update { it.copy(scanning = true, scanned = null) }
        viewModelScope.launch { scanner = repo().Scanner(_state.value.cycleId) }
    }

    fun stopScan() {
        scanner = null
        _state.update { it.copy(scanning = false) }
    }

    /** One code the camera read (called for every frame it is in view: repeats are dropped). */
    fun scanned(text: String) {
        val session = scanner ?: return
        if (!seen.add(text)) return
        val res = getApplication<Application>().resources
        run {
            val said = when (val r = session.scanned(text)) {
                is LinliRepository.ScanResult.Joined -> {
                    _state.update { it.copy(cycleId = r.cycleId, scanning = false) }
                    refresh()
                    res.getString(R.string.scan_joined)
                }
                is LinliRepository.ScanResult.Chunk ->
                    if (r.status.complete) res.getString(R.string.scan_imported, r.newRecords)
                    else res.getString(R.string.scan_progress, r.status.received.toInt(), r.status.total.toInt())
                is LinliRepository.ScanResult.Key -> res.getString(R.string.scan_key)
                LinliRepository.ScanResult.NotLinli -> res.getString(R.string.scan_not_linli)
            }
            _state.update { it.copy(scanned = said) }
        }
    }

    fun dismissMessage() = _state.update { it.copy(message = null) }

    @OptIn(ExperimentalCoroutinesApi::class)
    override fun onCleared() {
        repoReady.invokeOnCompletion { failed -> if (failed == null) repoReady.getCompleted().close() }
    }
}
