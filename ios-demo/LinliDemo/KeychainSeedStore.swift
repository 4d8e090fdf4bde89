import Foundation
import LinliCore
import Security

/// Keeps this device's 32-byte signing seed in the iOS Keychain, readable only on this device
/// once it has been unlocked (never in iCloud backups). The core asks once per open and hands over
/// a new seed the first time. Only "not found" answers "no seed"; a locked keychain throws
/// `Unavailable`, so the core refuses to open rather than make a new identity.
final class KeychainSeedStore: SecureKeyStore, @unchecked Sendable {
    private let query: [String: Any] = [
        kSecClass as String: kSecClassGenericPassword,
        kSecAttrService as String: "org.linli.demo",
        kSecAttrAccount as String: "device-seed",
    ]

    func loadSeed() throws -> Data? {
        var q = query
        q[kSecReturnData as String] = true
        q[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(q as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let data = item as? Data else {
                throw CallbackError.Failed(detail: "the keychain item holds no data")
            }
            return data
        case errSecItemNotFound:
            return nil
        case errSecInteractionNotAllowed:
            throw CallbackError.Unavailable(detail: "the keychain is locked until the first unlock")
        default:
            throw CallbackError.Unavailable(detail: "keychain status \(status)")
        }
    }

    func storeSeed(seed: Data) throws {
        var q = query
        q[kSecValueData as String] = seed
        q[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        SecItemDelete(query as CFDictionary)
        let status = SecItemAdd(q as CFDictionary, nil)
        guard status == errSecSuccess else {
            throw CallbackError.Unavailable(detail: "could not save the device key (\(status))")
        }
    }
}
