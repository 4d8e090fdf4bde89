package org.linli.demo.ui

import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.Checkbox
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.TopAppBar
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import java.io.File
import org.linli.core.BallotType
import org.linli.core.BudgetLineInput
import org.linli.core.NewProposal
import org.linli.core.ProposalCategory
import org.linli.core.formatFen
import org.linli.core.parseYuan
import org.linli.core.MonitoringKind
import org.linli.core.Photo
import org.linli.core.ProjectItem
import org.linli.core.ProposalDetail
import org.linli.demo.MainViewModel
import org.linli.demo.R
import org.linli.demo.UiState

/** ¥1,234.50 from integer fen, formatted by the core (money is never a float). */
fun yuan(fen: Long): String = formatFen(fen)

private enum class Tab { PROPOSALS, PROJECTS, SYNC }

/** The app: join a community, then proposals and the vote, projects, and sync. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
fun LinliApp(model: MainViewModel, onShareFiles: (List<File>) -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    var tab by rememberSaveable { mutableStateOf(Tab.PROPOSALS) }
    MaterialTheme {
        Scaffold(
            topBar = {
                TopAppBar(title = {
                    Text(state.home?.summary?.let { "${it.community} · ${it.title}" } ?: stringResource(R.string.app_name))
                })
            },
            bottomBar = {
                if (state.cycleId != null) NavigationBar {
                    NavigationBarItem(tab == Tab.PROPOSALS, { tab = Tab.PROPOSALS }, icon = {}, label = { Text(stringResource(R.string.tab_proposals)) })
                    NavigationBarItem(tab == Tab.PROJECTS, { tab = Tab.PROJECTS }, icon = {}, label = { Text(stringResource(R.string.tab_projects)) })
                    NavigationBarItem(tab == Tab.SYNC, { tab = Tab.SYNC }, icon = {}, label = { Text(stringResource(R.string.tab_sync)) })
                }
            },
        ) { padding ->
            Column(Modifier.padding(padding).fillMaxSize()) {
                if (state.busy) LinearProgressIndicator(Modifier.fillMaxWidth())
                when {
                    state.scanning -> ScanScreen(state, model)
                    state.offlineCodes.isNotEmpty() -> CodesScreen(state, model)
                    state.cycleId == null -> JoinScreen(state, model)
                    tab == Tab.PROPOSALS -> ProposalsScreen(state, model)
                    tab == Tab.PROJECTS -> ProjectsScreen(state, model)
                    else -> SyncScreen(state, model, onShareFiles)
                }
            }
            state.message?.let { msg ->
                AlertDialog(
                    onDismissRequest = model::dismissMessage,
                    confirmButton = { TextButton(onClick = model::dismissMessage) { Text(stringResource(R.string.ok)) } },
                    text = { Text(msg) },
                )
            }
            state.timeline?.let { (project, events) ->
                TimelineDialog(events, state.detail, state.comments, onComment = { model.comment(project, it) }) {
                    model.showTimeline(null)
                }
            }
        }
    }
}

@Composable
private fun JoinScreen(state: UiState, model: MainViewModel) {
    var invite by remember { mutableStateOf("") }
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(stringResource(R.string.join_help))
        Button(onClick = model::startScan, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.scan_invite)) }
        OutlinedTextField(invite, { invite = it }, label = { Text(stringResource(R.string.invite)) }, modifier = Modifier.fillMaxWidth())
        OutlinedButton(onClick = { model.join(invite) }, enabled = invite.isNotBlank()) { Text(stringResource(R.string.join)) }
        DeviceKey(state.deviceKey)
        state.keyCode?.let { QrImage(it, Modifier.padding(horizontal = 48.dp)) }
    }
}

/** The camera, reading the cadre's invite or the tablet's chunks, with what the last code did. */
@Composable
private fun ScanScreen(state: UiState, model: MainViewModel) {
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(stringResource(R.string.scan_help))
        QrScanner(onText = model::scanned)
        state.scanned?.let { Text(it, style = MaterialTheme.typography.titleMedium) }
        OutlinedButton(onClick = model::stopScan, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.close)) }
    }
}

/** What the tablet lacks, one QR code at a time, for the tablet's camera. */
@Composable
private fun CodesScreen(state: UiState, model: MainViewModel) {
    var at by remember(state.offlineCodes) { mutableStateOf(0) }
    val codes = state.offlineCodes
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(stringResource(R.string.codes_help))
        QrImage(codes[at])
        Text(stringResource(R.string.code_n_of, at + 1, codes.size), style = MaterialTheme.typography.titleMedium)
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            OutlinedButton(onClick = { at -= 1 }, enabled = at > 0) { Text(stringResource(R.string.previous)) }
            Button(onClick = { at += 1 }, enabled = at < codes.size - 1) { Text(stringResource(R.string.next)) }
            TextButton(onClick = model::hideOfflineCodes) { Text(stringResource(R.string.close)) }
        }
    }
}

/** This phone's key, selectable, for the cadre who registers it. */
@Composable
private fun DeviceKey(key: String) {
    Text(stringResource(R.string.device_key), style = MaterialTheme.typography.labelMedium)
    SelectionContainer { Text(key.chunked(16).joinToString(" "), style = MaterialTheme.typography.bodySmall) }
}

@Composable
private fun ProposalsScreen(state: UiState, model: MainViewModel) {
    val home = state.home ?: return
    val voting = home.summary.phase == "voting"
    Column(Modifier.padding(horizontal = 16.dp)) {
        Text(stringResource(R.string.summary_line, home.label(home.summary.phase), home.summary.proposals.toInt(), home.summary.voters.toInt(), yuan(home.summary.poolFen)))
        OutlinedTextField(state.search, model::search, label = { Text(stringResource(R.string.search)) }, modifier = Modifier.fillMaxWidth())
        home.myBallot?.let { Text(stringResource(R.string.my_ballot, it.choices.size, home.label(it.status))) }
        var proposing by remember { mutableStateOf(false) }
        if (home.summary.phase == "proposals") {
            Button(onClick = { proposing = true }, modifier = Modifier.fillMaxWidth()) { Text(stringResource(R.string.propose)) }
        }
        if (proposing) ProposeDialog(home, onDismiss = { proposing = false }) { model.propose(it); proposing = false }
        LazyColumn(Modifier.weight(1f)) {
            items(home.proposals, key = { it.id }) { p ->
                Card(Modifier.fillMaxWidth().padding(vertical = 4.dp).clickable { model.showTimeline(p.id) }) {
                    Row(Modifier.padding(12.dp)) {
                        val points = home.rules.ballot is BallotType.Cumulative
                        if (voting && p.status == "shortlisted" && !points) Checkbox(p.id in state.selected, { model.toggle(p.id) })
                        if (voting && p.status == "shortlisted" && points) Column {
                            TextButton(onClick = { model.addPoint(p.id, 1) }) { Text("+") }
                            Text("${state.points[p.id] ?: 0}", Modifier.padding(horizontal = 16.dp))
                            TextButton(onClick = { model.addPoint(p.id, -1) }) { Text("−") }
                        }
                        Column(Modifier.weight(1f)) {
                            Text(p.title, style = MaterialTheme.typography.titleMedium)
                            Text("${yuan(p.estimateFen)} · ${home.label(p.status)} · ${home.label(p.category)} · ${p.sealedVotes ?: p.votes} ${stringResource(R.string.votes)}")
                            p.onBehalfOf?.let { Text(stringResource(R.string.paper_for, it)) }
                            p.reviewReason?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
                        }
                    }
                }
            }
        }
        if (voting) {
            val rules = home.rules
            val points = rules.ballot is BallotType.Cumulative
            Text(
                when {
                    points -> stringResource(R.string.points_cycle, (rules.ballot as BallotType.Cumulative).points.toInt())
                    rules.ballot is BallotType.Ranked -> stringResource(R.string.pick_ranked, rules.minPicks.toInt(), rules.maxPicks.toInt())
                    else -> stringResource(R.string.pick_rule, rules.minPicks.toInt(), rules.maxPicks.toInt())
                },
                style = MaterialTheme.typography.bodySmall,
            )
            // Ballots are pseudonymous, not secret (docs/threat-model.md): say so before a vote.
            Text(stringResource(R.string.ballot_visibility), style = MaterialTheme.typography.bodySmall)
            val count = state.selected.size.toUInt()
            val given = state.points.values.sum()
            val total = (rules.ballot as? BallotType.Cumulative)?.points?.toInt() ?: 0
            if (points) Text(stringResource(R.string.points_left, total - given, total))
            Button(
                onClick = model::vote,
                enabled = !state.busy && if (points) given in 1..total && state.points.size.toUInt() in rules.minPicks..rules.maxPicks
                    else count in rules.minPicks..rules.maxPicks,
                modifier = Modifier.fillMaxWidth(),
            ) {
                Text(if (points) stringResource(R.string.cast_points, given) else stringResource(R.string.cast_vote, state.selected.size))
            }
        }
    }
}

@Composable
private fun ProjectsScreen(state: UiState, model: MainViewModel) {
    val projects = state.home?.projects.orEmpty()
    var reporting by remember { mutableStateOf<ProjectItem?>(null) }
    if (projects.isEmpty()) Text(stringResource(R.string.no_projects), Modifier.padding(16.dp))
    LazyColumn(Modifier.padding(horizontal = 16.dp)) {
        items(projects, key = { it.id }) { p ->
            Card(Modifier.fillMaxWidth().padding(vertical = 4.dp)) {
                Column(Modifier.padding(12.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Text(p.title, style = MaterialTheme.typography.titleMedium)
                    Text(stringResource(R.string.project_line, yuan(p.fundedFen), p.contractFen?.let(::yuan) ?: "—", p.progress.toInt()))
                    LinearProgressIndicator(progress = { p.progress.toFloat() / 100f }, modifier = Modifier.fillMaxWidth())
                    Text(stringResource(R.string.satisfaction, p.goodRatings.toInt(), p.ratings.toInt(),
                        if (p.satisfied) stringResource(R.string.gate_open) else state.home?.gate?.label.orEmpty()))
                    p.payments.forEach { pay -> Text("${if (pay.released) "✔" else "·"} ${pay.label} ${yuan(pay.amountFen)}") }
                    Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        OutlinedButton(onClick = { model.showTimeline(p.id) }) { Text(stringResource(R.string.timeline)) }
                        OutlinedButton(onClick = { reporting = p }) { Text(stringResource(R.string.report)) }
                    }
                    if (p.completed) {
                        var remark by remember(p.id) { mutableStateOf("") }
                        OutlinedTextField(remark, { remark = it.take(500) }, label = { Text(stringResource(R.string.rating_comment)) },
                            modifier = Modifier.fillMaxWidth())
                        Row {
                            (1..5).forEach { stars -> TextButton(onClick = { model.rate(p.id, stars, remark.trim()); remark = "" }) { Text("$stars★") } }
                        }
                    }
                }
            }
        }
    }
    reporting?.let { p ->
        ReportDialog(p, state.home?.labels.orEmpty(), onDismiss = { reporting = null }) { kind, text, photo ->
            model.report(p.id, kind, text, photo); reporting = null
        }
    }
}

@Composable
private fun ReportDialog(project: ProjectItem, labels: Map<String, String>, onDismiss: () -> Unit, onSend: (MonitoringKind, String, Photo?) -> Unit) {
    val context = LocalContext.current
    var text by remember { mutableStateOf("") }
    var kind by remember { mutableStateOf(MonitoringKind.POOR_QUALITY) }
    var photo by remember { mutableStateOf<Photo?>(null) }
    val pick = rememberLauncherForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri: Uri? ->
        photo = uri?.let { u ->
            context.contentResolver.openInputStream(u)?.use { Photo(it.readBytes(), context.contentResolver.getType(u) ?: "image/jpeg", "photo.jpg") }
        }
    }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(project.title) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                // Every kind the core knows, misuse of funds included, named by the core's labels.
                MonitoringKind.entries.forEach { k ->
                    Row(Modifier.clickable { kind = k }) { Checkbox(kind == k, { kind = k }); Text(labels[k.name.lowercase()] ?: k.name) }
                }
                OutlinedTextField(text, { text = it }, label = { Text(stringResource(R.string.what_you_saw)) })
                OutlinedButton(onClick = { pick.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly)) }) {
                    Text(stringResource(if (photo == null) R.string.add_photo else R.string.photo_added))
                }
            }
        },
        confirmButton = { Button(onClick = { onSend(kind, text, photo) }, enabled = text.isNotBlank()) { Text(stringResource(R.string.send)) } },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.cancel)) } },
    )
}

@Composable
private fun TimelineDialog(
    events: List<org.linli.core.TimelineEvent>,
    detail: ProposalDetail?,
    comments: List<org.linli.core.CommentItem>,
    onComment: (String) -> Unit,
    onDismiss: () -> Unit,
) {
    var draft by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        confirmButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.ok)) } },
        title = { Text(stringResource(R.string.timeline)) },
        text = {
            LazyColumn {
                detail?.let { d ->
                    item {
                        Column(Modifier.padding(bottom = 8.dp)) {
                            Text(d.item.title, style = MaterialTheme.typography.titleMedium)
                            Text(d.description)
                            Text("${d.location} · ${d.targetGroup}", style = MaterialTheme.typography.bodySmall)
                            (d.goals + d.steps + d.risks).forEach { Text("• $it", style = MaterialTheme.typography.bodySmall) }
                            d.budgetLines.forEach { Text("${it.item}: ${yuan(it.amountFen)}", style = MaterialTheme.typography.bodySmall) }
                        }
                    }
                }
                items(events, key = { it.recordId }) { e ->
                    Column(Modifier.padding(vertical = 4.dp)) {
                        Text("${e.at.take(10)} · ${e.actorName ?: "?"}", style = MaterialTheme.typography.labelSmall)
                        Text((if (e.valid) "" else "✘ ") + e.text)
                        e.code?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
                    }
                }
                item { Text(stringResource(R.string.comments), style = MaterialTheme.typography.titleSmall) }
                items(comments, key = { it.id }) { c ->
                    Column(Modifier.padding(vertical = 4.dp)) {
                        Text("${c.author} · ${c.source} · ${c.at.take(10)}", style = MaterialTheme.typography.labelSmall)
                        Text(c.hiddenReason?.let { stringResource(R.string.comment_hidden, it) } ?: c.text)
                    }
                }
                item {
                    OutlinedTextField(draft, { draft = it.take(500) }, label = { Text(stringResource(R.string.comment_hint)) },
                        modifier = Modifier.fillMaxWidth())
                    TextButton(onClick = { onComment(draft); draft = "" }, enabled = draft.isNotBlank()) {
                        Text(stringResource(R.string.post_comment))
                    }
                }
            }
        },
    )
}

@Composable
private fun SyncScreen(state: UiState, model: MainViewModel, onShareFiles: (List<File>) -> Unit) {
    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(stringResource(R.string.sync_help))
        OutlinedTextField(state.tabletAddress, model::setTabletAddress, label = { Text(stringResource(R.string.tablet_address)) }, modifier = Modifier.fillMaxWidth())
        Button(onClick = model::syncWithTablet, enabled = !state.busy) { Text(stringResource(R.string.sync_now)) }
        state.sync?.let { p ->
            Text(stringResource(R.string.sync_progress, p.recordsReceived.toLong(), p.bytesSent.toLong() + p.bytesReceived.toLong(),
                stringResource(if (p.resumed) R.string.resumed else R.string.first_meeting)))
        }
        Text(stringResource(R.string.offline_help))
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            Button(onClick = model::showOfflineCodes, enabled = !state.busy) { Text(stringResource(R.string.show_codes)) }
            OutlinedButton(onClick = model::startScan) { Text(stringResource(R.string.scan_codes)) }
        }
        OutlinedButton(onClick = { model.exportOffline(onShareFiles) }) { Text(stringResource(R.string.share_offline)) }
        DeviceKey(state.deviceKey)
    }
}

/**
 * A resident's proposal: what, where, for whom, and its budget lines in yuan (sent to the core
 * as integer fen). The core checks every rule (phase, the pool, text lengths, the categories the
 * programme funds) and says what is wrong, in the phone's language.
 */
@Composable
private fun ProposeDialog(home: org.linli.demo.LinliRepository.Home, onDismiss: () -> Unit, onSend: (NewProposal) -> Unit) {
    var title by remember { mutableStateOf("") }
    var description by remember { mutableStateOf("") }
    var location by remember { mutableStateOf("") }
    var who by remember { mutableStateOf("") }
    var category by remember { mutableStateOf(ProposalCategory.ELDERLY_CARE) }
    var item by remember { mutableStateOf("") }
    var amount by remember { mutableStateOf("") }
    val fen = parseYuan(amount)
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.propose)) },
        text = {
            LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                item { OutlinedTextField(title, { title = it }, label = { Text(stringResource(R.string.proposal_title)) }) }
                item { OutlinedTextField(description, { description = it }, label = { Text(stringResource(R.string.proposal_description)) }) }
                item { OutlinedTextField(location, { location = it }, label = { Text(stringResource(R.string.proposal_location)) }) }
                item { OutlinedTextField(who, { who = it }, label = { Text(stringResource(R.string.proposal_for_whom)) }) }
                items(ProposalCategory.entries) { c ->
                    Row(Modifier.clickable { category = c }) { Checkbox(category == c, { category = c }); Text(home.label(c.name.lowercase())) }
                }
                item { OutlinedTextField(item, { item = it }, label = { Text(stringResource(R.string.budget_item)) }) }
                item { OutlinedTextField(amount, { amount = it }, label = { Text(stringResource(R.string.budget_yuan)) }) }
            }
        },
        confirmButton = {
            Button(
                onClick = {
                    onSend(NewProposal(title.trim(), description.trim(), category, location.trim(), who.trim(), "",
                        emptyList(), emptyList(), emptyList(), listOf(BudgetLineInput(item.trim(), fen ?: 0L))))
                },
                enabled = title.isNotBlank() && item.isNotBlank() && fen != null && fen > 0,
            ) { Text(stringResource(R.string.send)) }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.cancel)) } },
    )
}
