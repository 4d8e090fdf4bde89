package org.linli.demo

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import java.security.GeneralSecurityException
import org.linli.core.CallbackException
import org.linli.core.SecureKeyStore

/**
 * Keeps this device's 32-byte signing seed encrypted with an AES key that never leaves the
 * Android Keystore (hardware-backed where the phone has it). The core asks for the seed once per
 * open and hands over a new one the first time. A Keystore that cannot answer now (the phone just
 * booted, the user has not unlocked it) raises `Unavailable`, so the core refuses to open rather
 * than make a new identity; only "never stored" returns null.
 */
class KeystoreSeedStore(context: Context) : SecureKeyStore {
    private val prefs = context.getSharedPreferences("linli_seed", Context.MODE_PRIVATE)

    override fun loadSeed(): ByteArray? {
        val iv = prefs.getString("iv", null) ?: return null
        val sealed = prefs.getString("seed", null) ?: return null
        try {
            val cipher = Cipher.getInstance(TRANSFORM)
            cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(128, Base64.decode(iv, Base64.NO_WRAP)))
            return cipher.doFinal(Base64.decode(sealed, Base64.NO_WRAP))
        } catch (e: GeneralSecurityException) {
            // A seed is stored but cannot be read now: never answer "no seed".
            throw CallbackException.Unavailable("Android Keystore: ${e.message}")
        }
    }

    override fun storeSeed(seed: ByteArray) {
        val sealed: ByteArray
        val iv: ByteArray
        try {
            val cipher = Cipher.getInstance(TRANSFORM)
            cipher.init(Cipher.ENCRYPT_MODE, key())
            sealed = cipher.doFinal(seed)
            iv = cipher.iv
        } catch (e: GeneralSecurityException) {
            throw CallbackException.Unavailable("Android Keystore: ${e.message}")
        }
        // commit(), not apply(): the seed must be on disk before the first record is signed.
        val saved = prefs.edit()
            .putString("iv", Base64.encodeToString(iv, Base64.NO_WRAP))
            .putString("seed", Base64.encodeToString(sealed, Base64.NO_WRAP))
            .commit()
        if (!saved) throw CallbackException.Failed("could not save the device key")
    }

    private fun key(): SecretKey {
        val store = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }
        (store.getKey(ALIAS, null) as? SecretKey)?.let { return it }
        val gen = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore")
        gen.init(
            KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build()
        )
        return gen.generateKey()
    }

    private companion object {
        const val ALIAS = "linli-device-seed"
        const val TRANSFORM = "AES/GCM/NoPadding"
    }
}
