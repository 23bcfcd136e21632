"""The strongest peer we could write: a numba specialist for the search windows' structure.

Two structures: the reference window (below; fast, batched, timed by `zptoys bench --only peer`)
and the real search windows (`SearchModel`/`SearchPeer` at the end of this file: exact, checked
by Validation/validate_peer.py, one toy per thread and not tuned for speed).

The reference window (`zptoys fit --write-reference`, 100 bins, 202 parameters) has, per bin b,

    nu_b = mu * s_b * gs_b + beta * b_b * gb_b

with two per-bin Gaussian staterror parameters on separate samples (gs_b ~ N(as_b | gs_b, sig_s),
gb_b ~ N(ab_b | gb_b, sig_b)) and two globals, the POI mu and background_norm beta. The peer
uses that structure as far as it goes:

* for given globals each bin's two gammas are profiled in closed form. Stationarity of
  nu - n ln nu + (gs - as)^2 / (2 sig_s^2) + (gb - ab)^2 / (2 sig_b^2) gives, with t = 1 - n/nu,
  gs = as - sig_s^2 mu s t and gb = ab - sig_b^2 beta b t, so nu = A - C t with
  A = mu s as + beta b ab and C = sig_s^2 (mu s)^2 + sig_b^2 (beta b)^2: a quadratic,
  nu^2 - (A - C) nu - C n = 0, whose positive root is taken in its cancellation-free form;
* a projected Newton on the two globals (bounds from the workspace), with the gradient of the
  profiled likelihood by the envelope theorem and its Hessian as the per-bin Schur complement
  H_gg - H_gl H_ll^-1 H_lg (3-5 iterations from the start below);
* the per-bin work of each Newton iteration runs across a chunk of toys held bin-major
  (data[bin, toy]), so LLVM vectorises it across toys (it needs no logarithm: sqrt and
  divisions only); the n ln nu term is evaluated once per fit, at the end, for twice_nll;
* toys spread over threads with numba's prange (chunks of CHUNK toys);
* toy generation (Poisson main data, two Gaussian auxiliary data per bin) in numba, either
  with numba's np.random (Poisson by multiplication below mean 10, PTRS above; Gaussians by
  the polar method) or, stronger, with the Poisson probabilities of each bin tabulated once
  per generation point and inverted with one uniform (the same idea as zptoys' tables).

twice_nll is pyhf's: -2 (sum_b Poisson log-pmf(n_b | nu_b) with lgamma(n+1) + sum of Normal
log-densities of the auxiliary data, constants included); Validation/validate_peer.py checks it
and the best fits against zptoys and pyhf on the same toys.
"""

import json
import math

import numba as nb
import numpy as np
from numba import njit, prange

CHUNK = 32
MAX_ITERATIONS = 40
STEP_TOL = 1e-11
LOG_2PI = math.log(2 * math.pi)


class ReferenceModel:
    """The arrays of a workspace with the reference window's structure (a ValueError otherwise)."""

    def __init__(self, workspace):
        ws = json.loads(workspace) if isinstance(workspace, str) else workspace
        if len(ws["channels"]) != 1 or len(ws["channels"][0]["samples"]) != 2:
            raise ValueError("the peer handles one channel with two samples (the reference window)")
        channel = ws["channels"][0]
        signal, background = channel["samples"]
        measurement = ws["measurements"][0]["config"]
        self.poi_name = measurement["poi"]
        types = lambda s: sorted(m["type"] for m in s["modifiers"])  # noqa: E731
        if types(signal) != ["normfactor", "staterror"] or types(background) != ["normfactor", "staterror"]:
            raise ValueError("each sample needs exactly one normfactor and one staterror")
        mod = lambda s, t: next(m for m in s["modifiers"] if m["type"] == t)  # noqa: E731
        if mod(signal, "normfactor")["name"] != self.poi_name:
            raise ValueError("the first sample's normfactor must be the POI")
        self.s = np.array(signal["data"], dtype=np.float64)
        self.b = np.array(background["data"], dtype=np.float64)
        self.signal_shape = mod(signal, "staterror")["name"]
        self.background_shape = mod(background, "staterror")["name"]
        self.bnorm_name = mod(background, "normfactor")["name"]
        if self.signal_shape == self.background_shape:
            raise ValueError("the two staterrors must be separate parameters")
        # pyhf: sigma per bin = sqrt(sum of squared uncertainties) / sum of nominal, over the samples
        # carrying that staterror name (one sample each here).
        self.sig_s = np.array(mod(signal, "staterror")["data"], dtype=np.float64) / self.s
        self.sig_b = np.array(mod(background, "staterror")["data"], dtype=np.float64) / self.b
        self.observed = np.array(ws["observations"][0]["data"], dtype=np.float64)
        bounds = {p["name"]: p.get("bounds", [[0.0, 10.0]])[0] for p in measurement.get("parameters", [])}
        self.poi_bounds = tuple(bounds.get(self.poi_name, (0.0, 10.0)))
        self.bnorm_bounds = tuple(bounds.get(self.bnorm_name, (0.0, 10.0)))
        self.bins = len(self.s)

    def constants(self):
        """The constant part of twice_nll: sum over Gaussian constraints of ln(2 pi) + 2 ln sigma."""
        return float(np.sum(LOG_2PI + 2 * np.log(self.sig_s)) + np.sum(LOG_2PI + 2 * np.log(self.sig_b)))


@njit(cache=True, inline="always", error_model="numpy")
def _profile(mu, beta, s, b, ss2, sb2, n, a_s, a_b):
    """Closed-form gammas for given globals: (nu, t, gs, gb, C)."""
    ms = mu * s
    bb = beta * b
    big_a = ms * a_s + bb * a_b
    big_c = ss2 * ms * ms + sb2 * bb * bb
    d = big_a - big_c
    root = math.sqrt(d * d + 4.0 * big_c * n)
    nu = 0.5 * (d + root) if d >= 0.0 else 2.0 * big_c * n / (root - d)
    nu = max(nu, 1e-300)  # n = 0 and A <= C: the gammas would leave their range (pyhf bounds them)
    t = 1.0 - n / nu
    return nu, t, a_s - ss2 * ms * t, a_b - sb2 * bb * t, big_c


@njit(cache=True, error_model="numpy")
def _newton_step(mu, be, g1, g2, h11, h12, h22, free, mu_lo, mu_hi, be_lo, be_hi):
    """Projected Newton step on (mu, beta): variables at a bound with the gradient pushing out
    stay there; beta stays positive. Returns the new point and whether the step was negligible."""
    mu_free = free and not ((mu <= mu_lo and g1 > 0.0) or (mu >= mu_hi and g1 < 0.0))
    be_free = not ((be <= be_lo and g2 > 0.0) or (be >= be_hi and g2 < 0.0))
    dmu = 0.0
    dbe = 0.0
    if mu_free and be_free:
        det = h11 * h22 - h12 * h12
        dmu = -(h22 * g1 - h12 * g2) / det
        dbe = -(h11 * g2 - h12 * g1) / det
    elif mu_free:
        dmu = -g1 / h11
    elif be_free:
        dbe = -g2 / h22
    nbe = be + dbe
    if nbe <= 0.0:
        nbe = 0.5 * be
    nbe = min(max(nbe, be_lo), be_hi)
    nmu = min(max(mu + dmu, mu_lo), mu_hi)
    small = abs(nmu - mu) <= STEP_TOL * (1.0 + abs(mu)) and abs(nbe - be) <= STEP_TOL * (1.0 + abs(be))
    return nmu, nbe, small


@njit(cache=True, error_model="numpy")
def _fit_chunk(n, a_s, a_b, s, b, ss2, sb2, lo, hi, fixed_mu, mu_lo, mu_hi, be_lo, be_hi, out, nu_out, gam_s, gam_b):
    """Fits toys lo..hi-1 (columns of the bin-major data). Writes out[:, toy] = (mu, beta, the
    twice_nll terms without -2 sum n ln nu, iterations, converged) and nu, gs, gb per bin."""
    k = hi - lo
    bins = n.shape[0]
    mu = np.empty(k)
    be = np.empty(k)
    acc = np.empty((5, k))  # gradient (2) and Hessian (3) of the profiled -ln L
    done = np.zeros(k, dtype=np.bool_)
    iters = np.zeros(k)
    sum_s = s.sum()
    sum_b = b.sum()
    free = math.isnan(fixed_mu)
    for i in range(k):
        mu[i] = 0.0 if free else fixed_mu
        be[i] = min(max((n[:, lo + i].sum() - mu[i] * sum_s) / sum_b, 0.05), be_hi)
    for it in range(MAX_ITERATIONS):
        acc[:, :] = 0.0
        for j in range(bins):
            sj = s[j]
            bj = b[j]
            ssj = ss2[j]
            sbj = sb2[j]
            for i in range(k):  # across toys: vectorised by LLVM (no logarithm in here)
                nn = n[j, lo + i]
                ms = mu[i] * sj
                bb = be[i] * bj
                nu, t, gs, gb, big_c = _profile(mu[i], be[i], sj, bj, ssj, sbj, nn, a_s[j, lo + i], a_b[j, lo + i])
                # Hessian of the profiled likelihood (implicit differentiation of the quadratic):
                # H = n/(nu^2 + C n) * e e^T - diag(ss2 s^2, sb2 b^2) t^2, e = (s (gs - ss2 ms t), b (gb - sb2 bb t)).
                wd = nn / (nu * nu + big_c * nn)
                es = sj * (gs - ssj * ms * t)
                eb = bj * (gb - sbj * bb * t)
                acc[0, i] += t * sj * gs
                acc[1, i] += t * bj * gb
                acc[2, i] += wd * es * es - ssj * sj * sj * t * t
                acc[3, i] += wd * es * eb
                acc[4, i] += wd * eb * eb - sbj * bj * bj * t * t
        active = 0
        for i in range(k):
            if done[i]:
                continue
            active += 1
            iters[i] = it + 1
            mu[i], be[i], done[i] = _newton_step(mu[i], be[i], acc[0, i], acc[1, i], acc[2, i], acc[3, i], acc[4, i],
                                                 free, mu_lo, mu_hi, be_lo, be_hi)
        if active == 0:
            break
    total = np.zeros(k)
    for j in range(bins):  # the final pass, also across toys
        for i in range(k):
            nn = n[j, lo + i]
            nu, t, gs, gb, _ = _profile(mu[i], be[i], s[j], b[j], ss2[j], sb2[j], nn, a_s[j, lo + i], a_b[j, lo + i])
            ds = gs - a_s[j, lo + i]
            db = gb - a_b[j, lo + i]
            total[i] += 2.0 * nu + ds * ds / ss2[j] + db * db / sb2[j]
            nu_out[j, lo + i] = nu
            gam_s[j, lo + i] = gs
            gam_b[j, lo + i] = gb
    for i in range(k):
        out[0, lo + i] = mu[i]
        out[1, lo + i] = be[i]
        out[2, lo + i] = total[i]
        out[3, lo + i] = iters[i]
        out[4, lo + i] = 1.0 if done[i] else 0.0


@njit(cache=True, parallel=True, error_model="numpy")
def fit_batch(n, a_s, a_b, s, b, ss2, sb2, fixed_mu, mu_lo, mu_hi, be_lo, be_hi):
    """Fits every toy (columns of the bin-major arrays n, a_s, a_b); fixed_mu = nan for free fits.
    Returns out[5, toys] (mu, beta, twice_nll without -2 sum n ln nu, iterations, converged),
    and nu, gs, gb [bins, toys]."""
    toys = n.shape[1]
    out = np.empty((5, toys))
    nu = np.empty(n.shape)
    gam_s = np.empty(n.shape)
    gam_b = np.empty(n.shape)
    chunks = (toys + CHUNK - 1) // CHUNK
    for c in prange(chunks):
        lo = c * CHUNK
        hi = min(toys, lo + CHUNK)
        _fit_chunk(n, a_s, a_b, s, b, ss2, sb2, lo, hi, fixed_mu, mu_lo, mu_hi, be_lo, be_hi, out, nu, gam_s, gam_b)
    return out, nu, gam_s, gam_b


LN_FACTORIAL = np.array([math.lgamma(k + 1.0) for k in range(1 << 16)])


@njit(cache=True, error_model="numpy")
def _log_factorials(n, table):
    out = np.zeros(n.shape[1])
    for j in range(n.shape[0]):
        for i in range(n.shape[1]):
            k = int(n[j, i])
            out[i] += table[k] if k == n[j, i] and k < table.shape[0] else math.lgamma(n[j, i] + 1.0)
    return out


def log_factorials(n):
    """sum_b ln Gamma(n_b + 1) per toy (column): a table for counts, lgamma otherwise (Asimov data)."""
    return _log_factorials(np.ascontiguousarray(n, dtype=np.float64), LN_FACTORIAL)


@njit(cache=True, parallel=True, error_model="numpy")
def generate_random(nu, gs, gb, sig_s, sig_b, toys, seed_value):
    """Toys at the given expectations with numba's np.random: data[bin, toy] (n, as, ab)."""
    bins = nu.shape[0]
    n = np.empty((bins, toys))
    a_s = np.empty((bins, toys))
    a_b = np.empty((bins, toys))
    chunks = (toys + CHUNK - 1) // CHUNK
    for c in prange(chunks):
        np.random.seed(seed_value + c)
        for i in range(c * CHUNK, min(toys, (c + 1) * CHUNK)):
            for j in range(bins):
                n[j, i] = np.random.poisson(nu[j])
                a_s[j, i] = gs[j] + sig_s[j] * np.random.standard_normal()
                a_b[j, i] = gb[j] + sig_b[j] * np.random.standard_normal()
    return n, a_s, a_b


def poisson_tables(nu, guide_size=64):
    """Per bin: the cumulative distribution (up to where the upper tail is below 1e-17) and a guide
    table (first candidate for u in [m/G, (m+1)/G)) for inversion with one uniform."""
    bins = len(nu)
    cdfs = []
    for mean in nu:
        if mean <= 0:
            cdfs.append(np.ones(1))
            continue
        k = np.arange(0, int(mean + 20 * math.sqrt(mean) + 40))
        c = np.cumsum(np.exp(k * math.log(mean) - mean - np.array([math.lgamma(x + 1) for x in k])))
        c = c / c[-1]
        c[-1] = 1.0
        cdfs.append(c)
    width = max(len(c) for c in cdfs)
    cdf = np.ones((bins, width))
    guide = np.zeros((bins, guide_size), dtype=np.int64)
    for j, c in enumerate(cdfs):
        cdf[j, : len(c)] = c
        guide[j] = np.searchsorted(c, np.arange(guide_size) / guide_size, side="right")
    return cdf, guide


@njit(cache=True, parallel=True, error_model="numpy")
def generate_tables(cdf, guide, gs, gb, sig_s, sig_b, toys, seed_value):
    """Toys with Poisson by table inversion (one uniform per bin) and numba's Gaussians."""
    bins = cdf.shape[0]
    g = guide.shape[1]
    n = np.empty((bins, toys))
    a_s = np.empty((bins, toys))
    a_b = np.empty((bins, toys))
    chunks = (toys + CHUNK - 1) // CHUNK
    for c in prange(chunks):
        np.random.seed(seed_value + c)
        for i in range(c * CHUNK, min(toys, (c + 1) * CHUNK)):
            for j in range(bins):
                u = np.random.random()
                k = guide[j, int(u * g)]
                while u >= cdf[j, k]:
                    k += 1
                n[j, i] = k
                a_s[j, i] = gs[j] + sig_s[j] * np.random.standard_normal()
                a_b[j, i] = gb[j] + sig_b[j] * np.random.standard_normal()
    return n, a_s, a_b


class Peer:
    """Fits, toys and the toy-based q~mu hypothesis test on one reference-structure window."""

    def __init__(self, model):
        self.m = model
        self.ss2 = model.sig_s**2
        self.sb2 = model.sig_b**2
        self.const = model.constants()

    def fit(self, n, a_s, a_b, fixed_mu=math.nan, log_fact=None):
        """Fits of every column: a dict with mu, beta, twice_nll, iterations, converged (arrays
        over toys) and nu, gs, gb [bins, toys]. The n ln nu term of twice_nll is summed here with
        numpy's vectorised logarithm over the whole batch (numba's is a scalar libm call)."""
        m = self.m
        n = np.ascontiguousarray(n, dtype=np.float64)
        out, nu, gs, gb = fit_batch(n, np.ascontiguousarray(a_s), np.ascontiguousarray(a_b), m.s, m.b, self.ss2, self.sb2,
                                    float(fixed_mu), float(m.poi_bounds[0]), float(m.poi_bounds[1]),
                                    float(m.bnorm_bounds[0]), float(m.bnorm_bounds[1]))
        if log_fact is None:
            log_fact = log_factorials(n)
        twice_nll = out[2] - 2.0 * np.einsum("bt,bt->t", n, np.log(nu)) + 2.0 * log_fact + self.const
        return {"mu": out[0], "beta": out[1], "twice_nll": twice_nll, "iterations": out[3], "converged": out[4] > 0,
                "nu": nu, "gs": gs, "gb": gb}

    def observed_columns(self):
        ones = np.ones((self.m.bins, 1))
        return self.m.observed.reshape(-1, 1).copy(), ones, ones.copy()

    def generation_point(self, mu):
        """Expectations and gamma centres at the conditional fit to the observed data at mu."""
        f = self.fit(*self.observed_columns(), fixed_mu=mu)
        return f["nu"][:, 0].copy(), f["gs"][:, 0].copy(), f["gb"][:, 0].copy()

    def toys(self, mu, count, seed_value, tables=True):
        nu, gs, gb = self.generation_point(mu)
        if tables:
            cdf, guide = poisson_tables(nu)
            return generate_tables(cdf, guide, gs, gb, self.m.sig_s, self.m.sig_b, count, seed_value)
        return generate_random(nu, gs, gb, self.m.sig_s, self.m.sig_b, count, seed_value)

    def qtilde(self, n, a_s, a_b, mu):
        """q~mu per toy (Cowan et al., arXiv:1007.1727, Eq. 16; 0 when mu_hat > mu) and whether
        both fits converged."""
        log_fact = log_factorials(n)
        free = self.fit(n, a_s, a_b, log_fact=log_fact)
        cond = self.fit(n, a_s, a_b, fixed_mu=mu, log_fact=log_fact)
        q = np.maximum(cond["twice_nll"] - free["twice_nll"], 0.0)
        q[free["mu"] > mu] = 0.0
        return q, free["converged"] & cond["converged"]

    def hypotest(self, mu, toys, seed_value=1, tables=True):
        """CLs, CLs+b, CLb of q~mu at mu from toys (pyhf ToyCalculator conventions), and failed fits."""
        q_obs, _ = self.qtilde(*self.observed_columns(), mu)
        n, a_s, a_b = self.toys(mu, toys, seed_value, tables)
        q_sb, ok_sb = self.qtilde(n, a_s, a_b, mu)
        n, a_s, a_b = self.toys(0.0, toys, seed_value + 1_000_003, tables)
        q_b, ok_b = self.qtilde(n, a_s, a_b, mu)
        clsb = float(np.mean(q_sb[ok_sb] >= q_obs[0]))
        clb = float(np.mean(q_b[ok_b] >= q_obs[0]))
        return {"cls": clsb / clb if clb > 0 else math.nan, "clsb": clsb, "clb": clb, "q_obs": float(q_obs[0]),
                "failed": int((~ok_sb).sum() + (~ok_b).sum())}


def set_threads(count):
    nb.set_num_threads(max(1, min(count, nb.config.NUMBA_NUM_THREADS)))


# ---------------------------------------------------------------------------------------------
# The real search windows (`zptoys workspace --mass M`): per bin
#
#     nu = p * s * gs + beta * gb * (m * gv + o),   p = lumi * sigma_fb * kappa(alpha)
#
# with three per-bin Gaussian staterrors (gs on the signal; gb shared by the mu-mu(gamma) sample m
# and the other backgrounds o; gv, the photon veto, on m only: the gb*gv product term) and four
# globals: sigma_fb (the POI), background_norm beta, the normsys signal_efficiency alpha (pyhf's
# code-4 interpolation kappa, N(0, 1) constraint) and lumi (N(1, sigma_lumi)). The bins depend on
# the globals only through (p, beta): each bin is profiled for given (p, beta) (its stationarity
# conditions reduce to one equation in t = 1 - n/nu: gs and the 2x2 linear system of (gb, gv) are
# explicit in t; Newton on t from the two-gamma closed form), its 2x2 profiled Hessian in (p, beta)
# is the Schur complement with the gammas scaled by their sigmas (a near-identity 3x3 block, well
# conditioned even for sigma ~ 1e-10), and the projected Newton on the four globals chains (p, beta)
# to (sigma_fb, beta, lumi, alpha) and adds the two global constraints.


def code4_coefficients(hi, lo):
    """pyhf's code-4 polynomial (alpha0 = 1): kappa = 1 + sum_i a_i alpha^i for |alpha| < 1,
    hi^alpha above, lo^-alpha below (pyhf/interpolators/code4.py)."""
    a_inv = np.array([
        [15 / 16, -15 / 16, -7 / 16, -7 / 16, 1 / 16, -1 / 16],
        [3 / 2, 3 / 2, -9 / 16, 9 / 16, 1 / 16, 1 / 16],
        [-5 / 8, 5 / 8, 5 / 8, 5 / 8, -1 / 8, 1 / 8],
        [3 / -2, 3 / -2, -7 / -8, 7 / -8, -1 / 8, -1 / 8],
        [3 / 16, -3 / 16, -3 / 16, -3 / 16, 1 / 16, -1 / 16],
        [1 / 2, 1 / 2, -5 / 16, 5 / 16, 1 / 16, 1 / 16],
    ])
    b = np.array([hi - 1, lo - 1, math.log(hi) * hi, -math.log(lo) * lo, math.log(hi) ** 2 * hi, math.log(lo) ** 2 * lo])
    return a_inv @ b


@njit(cache=True, error_model="numpy")
def _kappa(alpha, hi, lo, a):
    """kappa(alpha) and its first two derivatives (code 4)."""
    if alpha >= 1.0:
        v = hi**alpha
        return v, v * math.log(hi), v * math.log(hi) ** 2
    if alpha <= -1.0:
        v = lo ** (-alpha)
        return v, -v * math.log(lo), v * math.log(lo) ** 2
    v, d1, d2 = 1.0, 0.0, 0.0
    for i in range(6):
        v += a[i] * alpha ** (i + 1)
        d1 += (i + 1) * a[i] * alpha**i
        if i > 0:
            d2 += (i + 1) * i * a[i] * alpha ** (i - 1)
    return v, d1, d2


@njit(cache=True, inline="always", error_model="numpy")
def _gammas(t, ps, beta, m, o, ss2, sb2, sv2, a_s, a_b, a_v):
    """gs, gb, gv and nu at a given t (the stationarity conditions solved for the gammas)."""
    gs = a_s - ss2 * ps * t
    c1 = sb2 * beta * t
    c2 = sv2 * beta * m * t
    gb = (a_b - c1 * o - c1 * m * a_v) / (1.0 - c1 * c2 * m)
    gv = a_v - c2 * gb
    return gs, gb, gv, ps * gs + beta * gb * (m * gv + o)


@njit(cache=True, inline="always", error_model="numpy")
def _search_profile(ps, beta, m, o, ss2, sb2, sv2, n, a_s, a_b, a_v):
    """Profiles one bin for given (p s, beta): (nu, t, gs, gb, gv). Newton on
    h(t) = nu(t) (1 - t) - n from the closed form of the linearised nu(t) = A - C t."""
    big_a = ps * a_s + beta * a_b * (m * a_v + o)
    big_c = ss2 * ps * ps + sb2 * (beta * (m * a_v + o)) ** 2 + sv2 * (beta * a_b * m) ** 2
    d = big_a - big_c
    root = math.sqrt(d * d + 4.0 * big_c * n)
    nu = 0.5 * (d + root) if d >= 0.0 else 2.0 * big_c * n / (root - d)
    t = 1.0 - n / max(nu, 1e-300)
    for _ in range(50):
        gs, gb, gv, nu = _gammas(t, ps, beta, m, o, ss2, sb2, sv2, a_s, a_b, a_v)
        h = nu * (1.0 - t) - n
        eps = 1e-7 * (1.0 + abs(t))
        nu2 = _gammas(t + eps, ps, beta, m, o, ss2, sb2, sv2, a_s, a_b, a_v)[3]
        dh = (nu2 - nu) / eps * (1.0 - t) - nu
        step = h / dh
        t_new = min(t - step, 1.0)
        if abs(t_new - t) <= 1e-15 * (1.0 + abs(t)):
            t = t_new
            break
        t = t_new
    gs, gb, gv, nu = _gammas(t, ps, beta, m, o, ss2, sb2, sv2, a_s, a_b, a_v)
    return nu, 1.0 - n / nu, gs, gb, gv


@njit(cache=True, inline="always", error_model="numpy")
def _search_bin_derivatives(p, beta, s, m, o, ss, sb, sv, n, nu, t, gs, gb, gv):
    """Gradient (2) and Hessian (3) of the profiled bin in (p, beta): the Schur complement
    H_gg - H_gu H_uu^-1 H_ug with the locals scaled by their sigmas, u = (g - a) / sigma, so that
    H_uu = I + w l l^T + (a t-term between gb and gv) is near the identity (written out: 3x3
    symmetric inverse by cofactors)."""
    w = n / (nu * nu)
    mg = m * gv + o
    d0, d1 = s * gs, gb * mg  # d nu / d(p, beta)
    l0, l1, l2 = ss * p * s, sb * beta * mg, sv * beta * gb * m  # d nu / du
    a00 = 1.0 + w * l0 * l0
    a01 = w * l0 * l1
    a02 = w * l0 * l2
    a11 = 1.0 + w * l1 * l1
    a12 = w * l1 * l2 + t * sb * sv * beta * m
    a22 = 1.0 + w * l2 * l2
    c00 = a11 * a22 - a12 * a12
    c01 = a02 * a12 - a01 * a22
    c02 = a01 * a12 - a02 * a11
    c11 = a00 * a22 - a02 * a02
    c12 = a01 * a02 - a00 * a12
    c22 = a00 * a11 - a01 * a01
    det = a00 * c00 + a01 * c01 + a02 * c02
    # H_gu rows (p and beta)
    p0, p1, p2 = w * d0 * l0 + t * ss * s, w * d0 * l1, w * d0 * l2
    b0, b1, b2 = w * d1 * l0, w * d1 * l1 + t * sb * mg, w * d1 * l2 + t * sv * gb * m
    # H_uu^-1 times each row
    x0 = (c00 * p0 + c01 * p1 + c02 * p2) / det
    x1 = (c01 * p0 + c11 * p1 + c12 * p2) / det
    x2 = (c02 * p0 + c12 * p1 + c22 * p2) / det
    y0 = (c00 * b0 + c01 * b1 + c02 * b2) / det
    y1 = (c01 * b0 + c11 * b1 + c12 * b2) / det
    y2 = (c02 * b0 + c12 * b1 + c22 * b2) / det
    hpp = w * d0 * d0 - (p0 * x0 + p1 * x1 + p2 * x2)
    hpb = w * d0 * d1 - (b0 * x0 + b1 * x1 + b2 * x2)
    hbb = w * d1 * d1 - (b0 * y0 + b1 * y1 + b2 * y2)
    return t * d0, t * d1, hpp, hpb, hbb


@njit(cache=True, error_model="numpy")
def _search_fit_one(n, a_s, a_b, a_v, a_l, a_k, s, m, o, ss2, sb2, sv2, sig_l, hi, lo, coef, fixed_mu, bounds, result, gam):
    """Fits one toy of a search window: result = (sigma_fb, beta, lumi, alpha, twice_nll without the
    n ln nu and constant terms, iterations, converged); gam[4, bins] = nu, gs, gb, gv."""
    bins = n.shape[0]
    ss, sb, sv = np.sqrt(ss2), np.sqrt(sb2), np.sqrt(sv2)
    free = math.isnan(fixed_mu)
    x = np.array([0.0 if free else fixed_mu, 1.0, 1.0, 0.0])  # sigma_fb, beta, lumi, alpha
    bkg = 0.0
    for j in range(bins):
        bkg += m[j] + o[j]
    x[1] = min(max(n.sum() / bkg, 0.05), bounds[1, 1])
    done = False
    it = 0
    for it in range(1, MAX_ITERATIONS + 1):
        kap, dk, d2k = _kappa(x[3], hi, lo, coef)
        p = x[2] * x[0] * kap
        gp = 0.0
        g = np.zeros(4)
        hpp = hpb = hbb = 0.0
        for j in range(bins):
            nu, t, gs, gb, gv = _search_profile(p * s[j], x[1], m[j], o[j], ss2[j], sb2[j], sv2[j], n[j], a_s[j], a_b[j], a_v[j])
            d0, d1, h00, h01, h11 = _search_bin_derivatives(p, x[1], s[j], m[j], o[j], ss[j], sb[j], sv[j], n[j], nu, t, gs, gb, gv)
            gp += d0
            g[1] += d1
            hpp += h00
            hpb += h01
            hbb += h11
        # chain rule to (sigma_fb, beta, lumi, alpha); p = lumi sigma kappa(alpha)
        jp = np.array([x[2] * kap, 0.0, x[0] * kap, x[2] * x[0] * dk])
        g += gp * jp
        g[2] += (x[2] - a_l) / sig_l**2
        g[3] += x[3] - a_k
        hess = np.outer(jp, jp) * hpp
        for i in range(4):
            hess[i, 1] += jp[i] * hpb
            hess[1, i] += jp[i] * hpb
        hess[1, 1] += hbb
        # gp times the second derivatives of p
        hess[0, 2] += gp * kap
        hess[2, 0] += gp * kap
        hess[0, 3] += gp * x[2] * dk
        hess[3, 0] += gp * x[2] * dk
        hess[2, 3] += gp * x[0] * dk
        hess[3, 2] += gp * x[0] * dk
        hess[3, 3] += gp * x[2] * x[0] * d2k + 1.0
        hess[2, 2] += 1.0 / sig_l**2
        freev = np.ones(4, dtype=np.bool_)
        if not free:
            freev[0] = False
        for i in range(4):
            if (x[i] <= bounds[i, 0] and g[i] > 0.0) or (x[i] >= bounds[i, 1] and g[i] < 0.0):
                freev[i] = False
        idx = np.nonzero(freev)[0]
        step = np.zeros(4)
        if idx.size > 0:
            sub = hess[idx][:, idx]
            step[idx] = -np.linalg.solve(sub, g[idx])
        new = np.minimum(np.maximum(x + step, bounds[:, 0]), bounds[:, 1])
        if new[1] <= 0.0:
            new[1] = 0.5 * x[1]
        small = np.all(np.abs(new - x) <= STEP_TOL * (1.0 + np.abs(x)))
        x = new
        if small:
            done = True
            break
    kap = _kappa(x[3], hi, lo, coef)[0]
    p = x[2] * x[0] * kap
    total = (x[2] - a_l) ** 2 / sig_l**2 + (x[3] - a_k) ** 2
    for j in range(bins):
        nu, t, gs, gb, gv = _search_profile(p * s[j], x[1], m[j], o[j], ss2[j], sb2[j], sv2[j], n[j], a_s[j], a_b[j], a_v[j])
        total += 2.0 * nu + (gs - a_s[j]) ** 2 / ss2[j] + (gb - a_b[j]) ** 2 / sb2[j] + (gv - a_v[j]) ** 2 / sv2[j]
        gam[0, j] = nu
        gam[1, j] = gs
        gam[2, j] = gb
        gam[3, j] = gv
    result[:4] = x
    result[4] = total
    result[5] = it
    result[6] = 1.0 if done else 0.0


@njit(cache=True, parallel=True, error_model="numpy")
def search_fit_batch(n, a_s, a_b, a_v, a_l, a_k, s, m, o, ss2, sb2, sv2, sig_l, hi, lo, coef, fixed_mu, bounds):
    """Fits every toy (columns of n, a_s, a_b, a_v; a_l, a_k per toy), threads over toys."""
    toys = n.shape[1]
    out = np.empty((7, toys))
    gam = np.empty((4, n.shape[0], toys))
    for i in prange(toys):
        r = np.empty(7)
        gm = np.empty((4, n.shape[0]))
        _search_fit_one(np.ascontiguousarray(n[:, i]), np.ascontiguousarray(a_s[:, i]), np.ascontiguousarray(a_b[:, i]),
                        np.ascontiguousarray(a_v[:, i]), a_l[i], a_k[i], s, m, o, ss2, sb2, sv2, sig_l, hi, lo, coef,
                        fixed_mu, bounds, r, gm)
        out[:, i] = r
        gam[:, :, i] = gm
    return out, gam


@njit(cache=True, parallel=True, error_model="numpy")
def search_generate(nu, gs, gb, gv, ls, alpha, sig_s, sig_b, sig_v, sig_l, toys, seed_value):
    """Toys of a search window with numba's np.random: main counts, the three per-bin Gaussian
    auxiliary data and the two global ones (lumi, signal_efficiency)."""
    bins = nu.shape[0]
    n = np.empty((bins, toys))
    a_s = np.empty((bins, toys))
    a_b = np.empty((bins, toys))
    a_v = np.empty((bins, toys))
    a_l = np.empty(toys)
    a_k = np.empty(toys)
    chunks = (toys + CHUNK - 1) // CHUNK
    for c in prange(chunks):
        np.random.seed(seed_value + c)
        for i in range(c * CHUNK, min(toys, (c + 1) * CHUNK)):
            for j in range(bins):
                n[j, i] = np.random.poisson(nu[j])
                a_s[j, i] = gs[j] + sig_s[j] * np.random.standard_normal()
                a_b[j, i] = gb[j] + sig_b[j] * np.random.standard_normal()
                a_v[j, i] = gv[j] + sig_v[j] * np.random.standard_normal()
            a_l[i] = ls + sig_l * np.random.standard_normal()
            a_k[i] = alpha + np.random.standard_normal()
    return n, a_s, a_b, a_v, a_l, a_k


class SearchModel:
    """The arrays of a real search window (a ValueError for anything else)."""

    def __init__(self, workspace):
        ws = json.loads(workspace) if isinstance(workspace, str) else workspace
        if len(ws["channels"]) != 1 or len(ws["channels"][0]["samples"]) != 3:
            raise ValueError("a search window has one channel with three samples")
        signal, mumu, other = ws["channels"][0]["samples"]
        config = ws["measurements"][0]["config"]
        self.poi_name = config["poi"]
        mods = lambda s: {m["type"] + ":" + m["name"]: m for m in s["modifiers"]}  # noqa: E731
        sm, mm, om = mods(signal), mods(mumu), mods(other)
        kinds = lambda d, t: [k.split(":", 1)[1] for k in d if k.startswith(t + ":")]  # noqa: E731
        if (sorted(k.split(":")[0] for k in sm) != ["lumi", "normfactor", "normsys", "staterror"]
                or sorted(k.split(":")[0] for k in mm) != ["normfactor", "staterror", "staterror"]
                or sorted(k.split(":")[0] for k in om) != ["normfactor", "staterror"]):
            raise ValueError("not the search-window structure (signal: normfactor, staterror, normsys, lumi; "
                             "mu-mu: normfactor and two staterrors; other: normfactor, staterror)")
        if kinds(sm, "normfactor") != [self.poi_name] or kinds(mm, "normfactor") != kinds(om, "normfactor"):
            raise ValueError("the signal's normfactor must be the POI and both backgrounds share one normfactor")
        shared = kinds(om, "staterror")[0]
        veto = [k for k in kinds(mm, "staterror") if k != shared]
        if shared not in kinds(mm, "staterror") or len(veto) != 1:
            raise ValueError("the backgrounds must share one staterror and mu-mu carry one more")
        self.bnorm_name = kinds(mm, "normfactor")[0]
        self.signal_shape, self.background_shape, self.veto = kinds(sm, "staterror")[0], shared, veto[0]
        self.efficiency, self.lumi_name = kinds(sm, "normsys")[0], kinds(sm, "lumi")[0]
        arr = lambda x: np.array(x, dtype=np.float64)  # noqa: E731
        self.s, self.m, self.o = arr(signal["data"]), arr(mumu["data"]), arr(other["data"])
        d_s = arr(sm["staterror:" + self.signal_shape]["data"])
        d_b = np.hypot(arr(mm["staterror:" + shared]["data"]), arr(om["staterror:" + shared]["data"]))
        d_v = arr(mm["staterror:" + self.veto]["data"])
        if np.any(self.s <= 0) or np.any(self.m <= 0) or np.any(self.m + self.o <= 0):
            raise ValueError("a bin without signal or mu-mu(gamma) yield is outside the peer's structure")
        # pyhf: staterror sigma = sqrt(sum of squared uncertainties) / sum of nominal over the samples carrying it
        self.sig_s, self.sig_b, self.sig_v = d_s / self.s, d_b / (self.m + self.o), d_v / self.m
        ns = sm["normsys:" + self.efficiency]["data"]
        self.hi, self.lo = float(ns["hi"]), float(ns["lo"])
        self.coef = code4_coefficients(self.hi, self.lo)
        params = {p["name"]: p for p in config.get("parameters", [])}
        lumi = params[self.lumi_name]
        self.sig_l, self.lumi_aux = float(lumi["sigmas"][0]), float(lumi["auxdata"][0])
        b = lambda name, default: tuple(params.get(name, {}).get("bounds", [default])[0])  # noqa: E731
        self.bounds = np.array([b(self.poi_name, (0.0, 10.0)), b(self.bnorm_name, (0.0, 10.0)),
                                b(self.lumi_name, (0.0, 10.0)), b(self.efficiency, (-5.0, 5.0))], dtype=np.float64)
        self.observed = arr(ws["observations"][0]["data"])
        self.bins = len(self.s)

    def constants(self):
        sig = np.concatenate([self.sig_s, self.sig_b, self.sig_v, [self.sig_l, 1.0]])
        return float(np.sum(LOG_2PI + 2 * np.log(sig)))


class SearchPeer:
    """Fits and toys on a real search window."""

    def __init__(self, model):
        self.m = model
        self.ss2, self.sb2, self.sv2 = model.sig_s**2, model.sig_b**2, model.sig_v**2
        self.const = model.constants()

    def fit(self, n, a_s, a_b, a_v, a_l, a_k, fixed_mu=math.nan):
        m = self.m
        n = np.ascontiguousarray(n, dtype=np.float64)
        out, gam = search_fit_batch(n, np.ascontiguousarray(a_s), np.ascontiguousarray(a_b), np.ascontiguousarray(a_v),
                                    np.ascontiguousarray(a_l, dtype=np.float64), np.ascontiguousarray(a_k, dtype=np.float64),
                                    m.s, m.m, m.o, self.ss2, self.sb2, self.sv2, m.sig_l, m.hi, m.lo, m.coef,
                                    float(fixed_mu), m.bounds)
        nu = gam[0]
        twice_nll = out[4] - 2.0 * np.einsum("bt,bt->t", n, np.log(nu)) + 2.0 * log_factorials(n) + self.const
        return {"mu": out[0], "beta": out[1], "lumi": out[2], "alpha": out[3], "twice_nll": twice_nll,
                "iterations": out[5], "converged": out[6] > 0, "nu": nu, "gs": gam[1], "gb": gam[2], "gv": gam[3]}

    def observed_columns(self):
        ones = np.ones((self.m.bins, 1))
        return (self.m.observed.reshape(-1, 1).copy(), ones, ones.copy(), ones.copy(),
                np.array([self.m.lumi_aux]), np.array([0.0]))

    def toys(self, mu, count, seed_value):
        f = self.fit(*self.observed_columns(), fixed_mu=mu)
        col = lambda k: f[k][:, 0].copy()  # noqa: E731
        return search_generate(col("nu"), col("gs"), col("gb"), col("gv"), f["lumi"][0], f["alpha"][0],
                               self.m.sig_s, self.m.sig_b, self.m.sig_v, self.m.sig_l, count, seed_value)
