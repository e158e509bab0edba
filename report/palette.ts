/**
 * Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008), ordered so the first
 * colours are the most distinct for the common deficiencies and legible on white; yellow, which is
 * faint on white, comes last.
 */
export const OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
