import Foundation

/// Writes files so that a reader sees either the old file or the whole new one, never a part:
/// the bytes go to a temporary file in the same folder, which is then renamed over the target
/// (rename(2) is atomic within a file system). On any failure the temporary file is removed and
/// the previous file, if any, is left intact.
public enum AtomicFile {
  public struct WriteError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(path): \(reason)" }
  }

  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir.isEmpty ? "." : dir, isDirectory: &isDir), isDir.boolValue else {
      throw WriteError(path: path, reason: "folder \(dir) does not exist")
    }
    let tmp = (dir.isEmpty ? "." : dir) + "/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
    var ok = false
    defer {
      if !ok { unlink(tmp) }
    }
    let status: Int32 = data.withUnsafeBytes { raw -> Int32 in
      var offset = 0
      while offset < raw.count {
        let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          return errno
        }
        offset += n
      }
      return 0
    }
    if status != 0 {
      close(fd)
      throw WriteError(path: path, reason: String(cString: strerror(status)))
    }
    if fsync(fd) != 0 {
      let e = errno
      close(fd)
      throw WriteError(path: path, reason: String(cString: strerror(e)))
    }
    close(fd)
    guard rename(tmp, path) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
    ok = true
  }

  public static func write(_ string: String, to path: String) throws {
    try write(Data(string.utf8), to: path)
  }
}

/// A file written in pieces and published atomically by ``commit()``: until then the bytes live
/// in a temporary file beside the target, removed by ``abort()`` or when the writer is dropped
/// uncommitted (so an error or interruption never leaves a half-written output).
public final class AtomicFileWriter {
  public let path: String
  private let tmp: String
  private var fd: Int32
  private var buffer: [UInt8] = []
  private var done = false

  public init(path: String) throws {
    self.path = path
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir.isEmpty ? "." : dir, isDirectory: &isDir), isDir.boolValue else {
      throw AtomicFile.WriteError(path: path, reason: "folder \(dir) does not exist")
    }
    tmp = (dir.isEmpty ? "." : dir) + "/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno))) }
    buffer.reserveCapacity(1 << 20)
  }

  deinit { if !done { abort() } }

  public func write(_ s: String) throws {
    buffer.append(contentsOf: s.utf8)
    if buffer.count >= 1 << 20 { try flush() }
  }

  private func flush() throws {
    var offset = 0
    try buffer.withUnsafeBytes { raw in
      while offset < raw.count {
        let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
          if errno == EINTR { continue }
          let e = errno
          throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(e)))
        }
        offset += n
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }

  /// Flushes, syncs and renames the temporary file over the target.
  public func commit() throws {
    do {
      try flush()
      guard fsync(fd) == 0 else { throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno))) }
      close(fd)
      fd = -1
      guard rename(tmp, path) == 0 else { throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno))) }
      done = true
    } catch {
      abort()
      throw error
    }
  }

  /// Discards everything written.
  public func abort() {
    if fd >= 0 { close(fd); fd = -1 }
    unlink(tmp)
    done = true
  }
}
