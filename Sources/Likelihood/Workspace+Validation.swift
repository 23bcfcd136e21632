import Foundation

extension Workspace {
  /// Checks everything about the workspace that does not depend on the choice of measurement:
  /// names unique, every sample of a channel with the same number of bins, modifier data of the
  /// right length and in range, one observation per channel with non-negative finite counts,
  /// at least one measurement.
  ///
  /// - Throws: ``WorkspaceError`` naming the JSON path of the first problem.
  public func validate() throws {
    if channels.isEmpty { throw WorkspaceError(path: "channels", message: "a workspace needs at least one channel") }
    var channelIndex: [String: Int] = [:]
    for (ci, channel) in channels.enumerated() {
      let cp = "channels[\(ci)]"
      if let other = channelIndex[channel.name] {
        throw WorkspaceError(path: cp + ".name", message: "duplicate channel name \"\(channel.name)\" (also channels[\(other)])")
      }
      channelIndex[channel.name] = ci
      try validate(channel, path: cp)
    }
    try validateObservations()
    try validateMeasurements()
  }

  /// A channel's samples: unique names, one binning, finite data, valid modifiers.
  private func validate(_ channel: Channel, path cp: String) throws {
    if channel.samples.isEmpty { throw WorkspaceError(path: cp + ".samples", message: "a channel needs at least one sample") }
    let nbins = channel.samples[0].data.count
    var sampleIndex: [String: Int] = [:]
    for (si, sample) in channel.samples.enumerated() {
      let sp = cp + ".samples[\(si)]"
      if let other = sampleIndex[sample.name] {
        throw WorkspaceError(path: sp + ".name", message: "duplicate sample name \"\(sample.name)\" in channel \"\(channel.name)\" (also samples[\(other)])")
      }
      sampleIndex[sample.name] = si
      if sample.data.isEmpty { throw WorkspaceError(path: sp + ".data", message: "a sample needs at least one bin") }
      if sample.data.count != nbins {
        throw WorkspaceError(
          path: sp + ".data",
          message: "\(sample.data.count) bins, but the channel's first sample (\(cp).samples[0]) has \(nbins)")
      }
      try checkFinite(sample.data, path: sp + ".data")
      var seen: [String: Int] = [:]
      for (mi, modifier) in sample.modifiers.enumerated() {
        let mp = sp + ".modifiers[\(mi)]"
        let key = modifier.type + "/" + modifier.name
        if let other = seen[key] {
          throw WorkspaceError(
            path: mp, message: "\(modifier.type) modifier \"\(modifier.name)\" appears twice on this sample (also modifiers[\(other)])")
        }
        seen[key] = mi
        if modifier.name.isEmpty { throw WorkspaceError(path: mp + ".name", message: "empty modifier name") }
        try modifier.definition.validate(bins: nbins, path: mp)
      }
    }
  }

  /// One observation per channel, of its bin count, with finite non-negative counts.
  private func validateObservations() throws {
    var observationIndex: [String: Int] = [:]
    for (oi, obs) in observations.enumerated() {
      let op = "observations[\(oi)]"
      if let other = observationIndex[obs.name] {
        throw WorkspaceError(path: op + ".name", message: "duplicate observation \"\(obs.name)\" (also observations[\(other)])")
      }
      observationIndex[obs.name] = oi
      for (i, v) in obs.data.enumerated() where !(v.isFinite && v >= 0) {
        throw WorkspaceError(path: op + ".data[\(i)]", message: "observed counts must be finite and non-negative, got \(v)")
      }
    }
    for (ci, channel) in channels.enumerated() {
      guard let oi = observationIndex[channel.name] else {
        throw WorkspaceError(path: "observations", message: "no observation for channel \"\(channel.name)\" (channels[\(ci)])")
      }
      let n = observations[oi].data.count
      let nbins = channel.samples[0].data.count
      if n != nbins {
        throw WorkspaceError(
          path: "observations[\(oi)].data", message: "\(n) bins, but channel \"\(channel.name)\" (channels[\(ci)]) has \(nbins)")
      }
    }
  }

  /// Measurements: unique names, parameter configurations of valid shape.
  private func validateMeasurements() throws {
    if measurements.isEmpty { throw WorkspaceError(path: "measurements", message: "a workspace needs at least one measurement") }
    var measurementIndex: [String: Int] = [:]
    for (mi, m) in measurements.enumerated() {
      let mp = "measurements[\(mi)]"
      if let other = measurementIndex[m.name] {
        throw WorkspaceError(path: mp + ".name", message: "duplicate measurement \"\(m.name)\" (also measurements[\(other)])")
      }
      measurementIndex[m.name] = mi
      var parameterIndex: [String: Int] = [:]
      for (pi, p) in m.config.parameters.enumerated() {
        let pp = mp + ".config.parameters[\(pi)]"
        if let other = parameterIndex[p.name] {
          throw WorkspaceError(
            path: pp + ".name", message: "multiple configurations for parameter \"\(p.name)\" (also parameters[\(other)])")
        }
        parameterIndex[p.name] = pi
        for (arr, k) in [(p.inits, "inits"), (p.auxdata, "auxdata"), (p.factors, "factors"), (p.sigmas, "sigmas")] {
          if let arr {
            if arr.isEmpty { throw WorkspaceError(path: pp + ".\(k)", message: "empty list") }
            try checkFinite(arr, path: pp + ".\(k)")
          }
        }
        if let sigmas = p.sigmas {
          for (i, s) in sigmas.enumerated() where !(s > 0) {
            throw WorkspaceError(path: pp + ".sigmas[\(i)]", message: "a Gaussian width must be positive, got \(s)")
          }
        }
        if let factors = p.factors {
          for (i, s) in factors.enumerated() where !(s > 0) {
            throw WorkspaceError(path: pp + ".factors[\(i)]", message: "a Poisson scale factor must be positive, got \(s)")
          }
        }
        if let bounds = p.bounds {
          if bounds.isEmpty { throw WorkspaceError(path: pp + ".bounds", message: "empty list") }
          for (i, b) in bounds.enumerated() {
            guard b.count == 2 else {
              throw WorkspaceError(path: pp + ".bounds[\(i)]", message: "a bound is a pair [lower, upper], got \(b.count) numbers")
            }
            try checkFinite(b, path: pp + ".bounds[\(i)]")
            if !(b[0] <= b[1]) {
              throw WorkspaceError(path: pp + ".bounds[\(i)]", message: "lower bound \(b[0]) above upper bound \(b[1])")
            }
          }
        }
      }
    }
  }

  private func checkFinite(_ values: [Double], path: String) throws {
    for (i, v) in values.enumerated() where !v.isFinite {
      throw WorkspaceError(path: path + "[\(i)]", message: "not a finite number: \(v)")
    }
  }
}
