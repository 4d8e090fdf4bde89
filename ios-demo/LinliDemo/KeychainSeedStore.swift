import Foundation
import LinliCore
import Security

/// Keeps this device's 32-byte signing seed in the iOS Keychain, readable only on this device
/// once it has been unlocked (never in iCloud backups). The core asks once per open and hands over
/// a new seed the first time.
final class KeychainSeedStore: SecureKeyStore, @unchecked Sendable {
    private let query: [String: Any] = [
        kSecClass as String: kSecClassGenericPassword,
        kSecAttrService as String: "org.linli.demo",
        kSecAttrAccount as String: "device-seed",
    ]

    func loadSeed() -> Data? {
        var q = query
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        guard SecItemCopyMatching(q as CFDictionary, &item) == errSecSuccess else { return nil }
        return item as? Data
    }

    func storeSeed(seed: Data) {
        var q = query
        q[kSecValueData as String] = seed
        q[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        SecItemDelete(query as CFDictionary)
        let status = SecItemAdd(q as CFDictionary, nil)
        precondition(status == errSecSuccess, "could not save the device key (\(status))")
    }
}
