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
