package org.linli.demo.ui

import android.Manifest
import android.content.pm.PackageManager
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.camera.core.ImageAnalysis
import androidx.camera.mlkit.vision.MlKitAnalyzer
import androidx.camera.view.LifecycleCameraController
import androidx.camera.view.PreviewView
import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.Button
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.platform.LocalLifecycleOwner
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.viewinterop.AndroidView
import androidx.core.content.ContextCompat
import com.google.mlkit.vision.barcode.BarcodeScannerOptions
import com.google.mlkit.vision.barcode.BarcodeScanning
import com.google.mlkit.vision.barcode.common.Barcode
import org.linli.core.QrCode
import org.linli.demo.R

/** Light modules around the code, as the QR standard asks. */
private const val QUIET = 4

/**
 * A QR code the core drew ([QrCode]: the module matrix), painted module by module in black on
 * white with its quiet zone. Every module is drawn as a whole number of pixels so the camera on
 * the other phone sees sharp edges.
 */
@Composable
fun QrImage(code: QrCode, modifier: Modifier = Modifier) {
    val side = code.size.toInt()
    Canvas(modifier.fillMaxWidth().aspectRatio(1f).background(Color.White)) {
        val cells = side + 2 * QUIET
        val module = kotlin.math.floor(size.minDimension / cells)
        val origin = (size.minDimension - module * cells) / 2 + module * QUIET
        for (y in 0 until side) {
            for (x in 0 until side) {
                if (code.modules[y * side + x]) {
                    drawRect(Color.Black, Offset(origin + x * module, origin + y * module), Size(module, module))
                }
            }
        }
    }
}

/**
 * The camera, reading QR codes with ML Kit (CameraX's analyzer), and passing each code's text to
 * [onText] on the main thread, once per frame it is seen: the caller ignores repeats. Asks for
 * the camera permission first.
 */
@Composable
fun QrScanner(onText: (String) -> Unit, modifier: Modifier = Modifier) {
    val context = LocalContext.current
    var allowed by remember {
        mutableStateOf(ContextCompat.checkSelfPermission(context, Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED)
    }
    val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { allowed = it }
    LaunchedEffect(Unit) { if (!allowed) ask.launch(Manifest.permission.CAMERA) }
    if (!allowed) {
        Button(onClick = { ask.launch(Manifest.permission.CAMERA) }) { Text(stringResource(R.string.camera_needed)) }
        return
    }
    val owner = LocalLifecycleOwner.current
    val controller = remember { LifecycleCameraController(context) }
    DisposableEffect(owner) {
        val scanner = BarcodeScanning.getClient(
            BarcodeScannerOptions.Builder().setBarcodeFormats(Barcode.FORMAT_QR_CODE).build(),
        )
        val main = ContextCompat.getMainExecutor(context)
        controller.setImageAnalysisAnalyzer(
            main,
            MlKitAnalyzer(listOf(scanner), ImageAnalysis.COORDINATE_SYSTEM_VIEW_REFERENCED, main) { result ->
                result.getValue(scanner)?.forEach { barcode -> barcode.rawValue?.let(onText) }
            },
        )
        controller.bindToLifecycle(owner)
        onDispose {
            controller.unbind()
            scanner.close()
        }
    }
    AndroidView(
        factory = { PreviewView(it).apply { this.controller = controller } },
        modifier = modifier.fillMaxWidth().aspectRatio(1f),
    )
}
