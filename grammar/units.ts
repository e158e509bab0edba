/**
 * Units a number may carry: the parser reads a known unit word after a number, later stages
 * convert. Energies convert to GeV; areas to pb; inverse areas to /pb.
 */
export const UNITS: Record<string, { dimension: "energy" | "area" | "inverse area"; factor: number }> = {
  MeV: { dimension: "energy", factor: 1e-3 },
  GeV: { dimension: "energy", factor: 1 },
  TeV: { dimension: "energy", factor: 1e3 },
  fb: { dimension: "area", factor: 1e-3 },
  pb: { dimension: "area", factor: 1 },
  nb: { dimension: "area", factor: 1e3 },
  "/fb": { dimension: "inverse area", factor: 1e3 },
  "/pb": { dimension: "inverse area", factor: 1 },
  "/nb": { dimension: "inverse area", factor: 1e-3 },
};

export function isUnitWord(word: string): boolean {
  return word in UNITS;
}
