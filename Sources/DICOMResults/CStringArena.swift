#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDCMTKResults

/// C copies of Swift strings that live as long as the arena: the C requests hold many string pointers at once.
final class CStringArena {
    private var storage: [UnsafeMutablePointer<CChar>] = []

    func string(_ text: String) -> UnsafePointer<CChar> {
        let copy = strdup(text)!
        storage.append(copy)
        return UnsafePointer(copy)
    }

    func code(_ code: ResultCode) -> cdcmr_code {
        cdcmr_code(value: string(code.value), scheme: string(code.scheme), meaning: string(code.meaning))
    }

    deinit { storage.forEach { free($0) } }
}
