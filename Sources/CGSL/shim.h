// The GSL headers ZPrimeToys uses. Only the GSL module imports CGSL.
#ifndef ZPRIMETOYS_CGSL_SHIM_H
#define ZPRIMETOYS_CGSL_SHIM_H
/* GSL then defines gsl_rng_uniform & co. as inline functions, which Swift inlines too. */
#ifndef HAVE_INLINE
#define HAVE_INLINE 1
#endif
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_log.h>
#include <gsl/gsl_monte.h>
#include <gsl/gsl_monte_vegas.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_interp.h>
#include <gsl/gsl_spline.h>
#include <gsl/gsl_histogram2d.h>

/* The state layout of gsl_rng_taus2 (gsl/rng/taus.c: three 32-bit words in unsigned longs), so
   that a stream can be seeded with a full 64-bit key instead of gsl_rng_set's 32 bits, and so
   that Swift can step the generator inline on the same state. */
typedef struct {
  unsigned long s1, s2, s3;
} zpt_taus_state;

/* GSL's generator and solver types are global C pointers, which Swift 6 sees as shared mutable
   state; these accessors return them by value (they are never written after load). */
static inline const gsl_rng_type *zpt_rng_taus2(void) { return gsl_rng_taus2; }
static inline const gsl_root_fsolver_type *zpt_root_fsolver_brent(void) { return gsl_root_fsolver_brent; }

#endif
