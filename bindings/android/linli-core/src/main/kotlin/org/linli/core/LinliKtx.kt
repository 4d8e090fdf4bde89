package org.linli.core

/*
 * Helpers the Android library adds to the generated bindings: plain Kotlin (no Android classes),
 * so bindings/tests/kotlin/run.sh compiles and runs them on the JVM with the generated code.
 */

/** Whether the module at column [x], row [y] of a QR code the core drew is dark. */
fun QrCode.isDark(x: Int, y: Int): Boolean = modules[y * size.toInt() + x]

/**
 * The core's labels of every code a screen shows (`voting`, `shortlisted`, `misuse_of_funds`...),
 * by code, in this device's language: read it once and look codes up, never translate codes in
 * the app.
 */
fun Device.labelMap(): Map<String, String> = labels().associate { it.code to it.label }

/**
 * The message for people of whatever a Linli call threw: the core's own sentence, already in
 * the device's language, for every [LinliException]; the exception's message otherwise.
 */
fun Throwable.linliMessage(): String = when (this) {
    is LinliException.Rejected -> detail
    is LinliException.NotOnRoll -> detail
    is LinliException.UnknownCycle -> detail
    is LinliException.InvalidInput -> detail
    is LinliException.Storage -> detail
    is LinliException.Sync -> detail
    is LinliException.KeyStoreUnavailable -> detail
    is LinliException.Closed -> message ?: "closed"
    else -> message ?: toString()
}

/** The stable code of a refusal (`wrong_phase`, `over_budget`, `sync_busy`...), or null. */
fun Throwable.linliCode(): String? = when (this) {
    is LinliException.Rejected -> code
    is LinliException.Sync -> code
    else -> null
}
