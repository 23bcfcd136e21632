import Foundation

/// A HistFactory likelihood built from a pyhf workspace, with pyhf's conventions number for
/// number (pyhf 0.7.6 `pdf.py`):
///
///     L(θ) = Π_bins Pois(n_b | ν_b(θ)) · Π_constrained c(a_p | θ_p),
///     ν_b(θ) = Σ_samples [Π multiplicative factors] · (ν⁰_sb + Σ histosys Δ_sb(α)),
///
/// multiplicative factors: normfactor, lumi, normsys (code 4), shapefactor, shapesys, staterror;
/// additive: histosys (code 4p). Channels are ordered by name, parameters in pyhf's
/// `model.config.par_order` (by modifier type: histosys, lumi, normfactor, normsys, shapefactor,
/// shapesys, staterror; by first appearance over sorted channels, samples and modifier names
/// within a type; staterror sets sorted by name). Data vectors are main data (channels by name,
/// bins in order) followed by the auxiliary data in `model.config.auxdata` order.
///
/// A `Model` is immutable and `Sendable`: share one across threads; give each thread its own
/// ``Fitter`` or ``BatchFitter``.
public final class Model: Sendable {
  // MARK: Parameters

  /// Parameter names as pyhf's `model.config.par_names`: a scalar set gives `name`, a per-bin
  /// set `name[0]`, `name[1]`, ...
  public let parameterNames: [String]
  /// The parameter sets (one per modifier name) in pyhf's `par_order`.
  public let parameterSets: [ParameterSet]
  /// Index of the parameter of interest (pyhf `poi_index`), nil for a POI-less measurement.
  public let poiIndex: Int?
  /// Suggested initial values (pyhf `suggested_init()`); fixed parameters are held here.
  public let initialValues: [Double]
  /// Suggested bounds (pyhf `suggested_bounds()`).
  public let bounds: [ClosedRange<Double>]
  /// Parameters fixed by default (pyhf `suggested_fixed()`): staterror/shapesys bins without an
  /// uncertainty, and sets configured `"fixed": true`.
  public let fixedByDefault: [Bool]

  // MARK: Data

  /// Channel names in model order (sorted, as pyhf).
  public let channelNames: [String]
  /// Bins of each channel within the main data.
  public let channelBins: [Range<Int>]
  /// Observed main data (channels in model order).
  public let observedMainData: [Double]
  /// Auxiliary data at nominal (pyhf `model.config.auxdata`).
  public let auxData: [Double]
  /// One constraint term per auxiliary datum, in auxiliary-data order.
  public let constraints: [ConstraintTerm]
  /// The measurement the model was built for.
  public let measurementName: String

  /// The model compiled for the fitters (flat terms, the per-bin split of the parameters).
  let compiled: CompiledModel
  private let nameIndex: [String: Int]

  init(
    parameterNames: [String], parameterSets: [ParameterSet], poiIndex: Int?, initialValues: [Double],
    bounds: [ClosedRange<Double>], fixedByDefault: [Bool], channelNames: [String], channelBins: [Range<Int>],
    observedMainData: [Double], auxData: [Double], constraints: [ConstraintTerm], measurementName: String,
    terms: TermTable
  ) {
    self.parameterNames = parameterNames
    self.parameterSets = parameterSets
    self.poiIndex = poiIndex
    self.initialValues = initialValues
    self.bounds = bounds
    self.fixedByDefault = fixedByDefault
    self.channelNames = channelNames
    self.channelBins = channelBins
    self.observedMainData = observedMainData
    self.auxData = auxData
    self.constraints = constraints
    self.measurementName = measurementName
    var perParameter = [ParameterConstraint](repeating: .none, count: parameterNames.count)
    for term in constraints {
      switch term.constraint {
      case .gaussian(let sigma): perParameter[term.parameter] = .gaussian(sigma: sigma, aux: term.auxIndex)
      case .poisson(let tau): perParameter[term.parameter] = .poisson(tau: tau, aux: term.auxIndex)
      }
    }
    let table = ParameterTable(
      lower: bounds.map(\.lowerBound), upper: bounds.map(\.upperBound), initial: initialValues, fixed: fixedByDefault,
      constraints: perParameter, auxCount: auxData.count)
    compiled = CompiledModel(
      terms: terms, parameters: table, names: parameterNames, channelNames: channelNames, channelBins: channelBins)
    self.nameIndex = Dictionary(parameterNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
  }

  /// Number of parameters.
  public var parameterCount: Int { parameterNames.count }
  /// Number of main bins (all channels).
  public var mainBinCount: Int { observedMainData.count }
  /// Number of auxiliary data.
  public var auxCount: Int { auxData.count }
  /// Name of the parameter of interest.
  public var poiName: String? { poiIndex.map { parameterNames[$0] } }
  /// Observed data as pyhf's `workspace.data(model)`: main data then auxiliary data.
  public var observedData: [Double] { observedMainData + auxData }

  /// Index of the parameter called `name` (`"mu"`, `"staterror_x[3]"`).
  public func parameterIndex(named name: String) -> Int? { nameIndex[name] }

  /// The constraint of parameter `i`, if it has one.
  public func constraint(ofParameter i: Int) -> ConstraintTerm? {
    compiled.constraint[i].auxIndex.map { constraints[$0] }
  }

  // MARK: Expectations and densities

  /// Expected main data ν_b(θ) (pyhf `model.expected_actualdata`).
  /// - Complexity: O(terms), allocation of the result only.
  public func expectedMainData(_ parameters: [Double]) -> [Double] {
    precondition(parameters.count == parameterCount, "expected \(parameterCount) parameters, got \(parameters.count)")
    var out = [Double](repeating: 0, count: mainBinCount)
    parameters.withUnsafeBufferPointer { p in
      for b in 0..<mainBinCount { out[b] = compiled.expected(bin: b, p.baseAddress!) }
    }
    return out
  }

  /// Expected auxiliary data (pyhf `model.expected_auxdata`): θ for Gaussian, τθ for Poisson
  /// constraints.
  public func expectedAuxData(_ parameters: [Double]) -> [Double] {
    precondition(parameters.count == parameterCount, "expected \(parameterCount) parameters, got \(parameters.count)")
    return constraints.map { $0.constraint.expectedAux(parameters[$0.parameter]) }
  }

  /// Expected data, main then auxiliary (pyhf `model.expected_data(pars)`); at fitted
  /// parameters this is the Asimov data set.
  public func expectedData(_ parameters: [Double]) -> [Double] {
    expectedMainData(parameters) + expectedAuxData(parameters)
  }

  /// The Asimov data set at `parameters` (Cowan et al., arXiv:1007.1727, Sec. 3.2): main and
  /// auxiliary data replaced by their expectations, as pyhf's `generate_asimov_data`.
  public func asimovData(at parameters: [Double]) -> [Double] { expectedData(parameters) }

  /// ln L(θ | data) exactly as pyhf's `model.logpdf(pars, data)`: Poisson terms with
  /// lgamma normalisation for the main bins, normalised Gaussian and continuous Poisson
  /// constraint terms for the auxiliary data.
  /// - Parameters:
  ///   - parameters: one value per parameter (``parameterNames`` order).
  ///   - data: main data followed by auxiliary data (``mainBinCount`` + ``auxCount`` values).
  public func logPDF(_ parameters: [Double], data: [Double]) -> Double {
    precondition(parameters.count == parameterCount, "expected \(parameterCount) parameters, got \(parameters.count)")
    precondition(data.count == mainBinCount + auxCount, "expected \(mainBinCount + auxCount) data, got \(data.count)")
    var main = 0.0
    parameters.withUnsafeBufferPointer { p in
      for b in 0..<mainBinCount {
        main += LogPDF.poisson(data[b], rate: compiled.expected(bin: b, p.baseAddress!))
      }
    }
    var gauss = 0.0
    var pois = 0.0
    for term in constraints {
      let a = data[mainBinCount + term.auxIndex]
      switch term.constraint {
      case .gaussian: gauss += term.constraint.logPDF(aux: a, theta: parameters[term.parameter])
      case .poisson: pois += term.constraint.logPDF(aux: a, theta: parameters[term.parameter])
      }
    }
    return main + (gauss + pois)
  }

  /// −2 ln L (pyhf `pyhf.infer.mle.twice_nll`).
  public func twiceNLL(_ parameters: [Double], data: [Double]) -> Double {
    -2 * logPDF(parameters, data: data)
  }
}

/// One parameter set: the parameters one modifier name introduces (pyhf `paramset`).
public struct ParameterSet: Equatable, Sendable {
  /// How the set is constrained.
  public enum ConstraintType: String, Equatable, Sendable {
    case unconstrained, gaussian, poisson
  }

  /// Modifier name (`"mu"`, `"lumi"`, `"staterror_signal"`).
  public let name: String
  /// Modifier types that use the name (normsys and histosys may share one parameter).
  public let modifierTypes: [String]
  /// Indices of the parameters in the parameter vector.
  public let range: Range<Int>
  /// A scalar set is named without `[i]`.
  public let isScalar: Bool
  public let constraint: ConstraintType
}
