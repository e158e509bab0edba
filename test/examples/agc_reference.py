"""The AGC example's histograms computed independently of hepc, in plain Python (no numpy).

Reads a JSON file of the samples' input columns (as hepc's reader gives them; the test writes
it, with the analysis seed and the jet smearing's call site from the plan) and prints a JSON
object: for every histogram the example writes, nominal and varied, keyed "REGION/NAME/SAMPLE" as
the run's results are, its sums of weights and of squared weights per bin, underflow first and
overflow last. The selection, observables and variations follow the AGC
(iris-hep/analysis-grand-challenge, analyses/cms-open-data-ttbar/ttbar_analysis_pipeline.py):
trijets from itertools.combinations, the b-tag weights of the four leading jets, the W+jets scale,
the luminosity, the jet energy scale (the selection redone with scaled jet pT), the jet energy
resolution (each jet smeared by a normal draw: hepc's documented Philox-4x32-10 keying, written
here from the paper) and the alternative ttbar samples (in place of ttbar's nominal; one-sided
ones mirrored, 2 * nominal - up).

    python3 agc_reference.py INPUT.json > histograms.json
"""
import itertools
import json
import math
import sys

BTAG = 0.5
EDGES = [50 + 20 * i for i in range(26)]


def p4(pt, eta, phi, m):
    px, py, pz = pt * math.cos(phi), pt * math.sin(phi), pt * math.sinh(eta)
    return (math.sqrt(px * px + py * py + pz * pz + m * m), px, py, pz)


def mass(v):
    m2 = v[0] ** 2 - v[1] ** 2 - v[2] ** 2 - v[3] ** 2
    return math.sqrt(m2) if m2 >= 0 else -math.sqrt(-m2)


def bin_of(x):
    if x < EDGES[0]:
        return 0
    if x >= EDGES[-1]:
        return len(EDGES)
    i = 1
    while not (EDGES[i - 1] <= x < EDGES[i]):
        i += 1
    return i


M32 = 0xFFFFFFFF


def fnv1a(text):
    h = 0x811C9DC5
    for b in text.encode():
        h = ((h ^ b) * 0x01000193) & M32
    return h


def philox(c, k):
    """Philox-4x32-10 (Salmon, Moraes, Dror, Shaw, SC11): four 32-bit words of a counter and a key."""
    c0, c1, c2, c3 = c
    k0, k1 = k
    for r in range(10):
        if r > 0:
            k0 = (k0 + 0x9E3779B9) & M32
            k1 = (k1 + 0xBB67AE85) & M32
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0) & M32, p1 & M32, ((p0 >> 32) ^ c3 ^ k1) & M32, p0 & M32
    return c0, c1, c2, c3


def gauss(mu, sigma, entry, element, site, seed, sample):
    """hepc's documented draw: counter (entry, element, call site), key (seed, FNV-1a of the sample), Box-Muller."""
    w = philox((entry & M32, entry >> 32, element & M32, site), (seed & M32, fnv1a(sample)))
    unit = lambda a, b: ((a >> 5) * 67108864 + (b >> 6)) / 9007199254740992
    return mu + sigma * math.sqrt(-2 * math.log(1 - unit(w[0], w[1]))) * math.cos(2 * math.pi * unit(w[2], w[3]))


def events(columns, jet_pt=None):
    """Yields (jets, n_leptons) per event: jets as dicts passing the AGC's jet cuts, in file order.
    jet_pt(event, k, pt) gives a varied jet pT (a shape variation), by default the file's."""
    n = len(columns["Jet_pt"])
    for e in range(n):
        jets = []
        for k in range(len(columns["Jet_pt"][e])):
            pt, eta = columns["Jet_pt"][e][k], columns["Jet_eta"][e][k]
            if jet_pt is not None:
                pt = jet_pt(e, k, pt)
            if pt > 30 and abs(eta) < 2.4 and (columns["Jet_jetId"][e][k] & 4) != 0:
                jets.append({"pt": pt, "btag": columns["Jet_btagCSVV2"][e][k], "p4": p4(pt, eta, columns["Jet_phi"][e][k], columns["Jet_mass"][e][k])})
        nel = sum(
            1
            for k in range(len(columns["Electron_pt"][e]))
            if columns["Electron_pt"][e][k] > 30 and abs(columns["Electron_eta"][e][k]) < 2.1 and columns["Electron_cutBased"][e][k] == 4 and columns["Electron_sip3d"][e][k] < 4
        )
        nmu = sum(
            1
            for k in range(len(columns["Muon_pt"][e]))
            if columns["Muon_pt"][e][k] > 30 and abs(columns["Muon_eta"][e][k]) < 2.1 and columns["Muon_tightId"][e][k] and columns["Muon_sip3d"][e][k] < 4 and columns["Muon_pfRelIso04_all"][e][k] < 0.15
        )
        yield jets, nel + nmu


def observable(jets):
    """(region, name, value) of an event, or None when it is in neither region."""
    nb = sum(1 for j in jets if j["btag"] > BTAG)
    if nb == 1:
        return "r4j1b", "ht", sum(j["pt"] for j in jets)
    if nb >= 2:
        best = None
        for trio in itertools.combinations(jets, 3):
            if max(j["btag"] for j in trio) <= BTAG:
                continue
            v = tuple(sum(j["p4"][c] for j in trio) for c in range(4))
            pt = math.hypot(v[1], v[2])
            if best is None or pt > best[0]:  # the first of equal maxima, as argmax
                best = (pt, v)
        return "r4j2b", "m_bjj", mass(best[1])
    return None


def weight_variations(sample, jets):
    """Weight factors per histogram suffix for one selected event: b-tagging, W+jets scale, luminosity."""
    out = {}
    for i in range(4):
        pt = jets[i]["pt"]
        out[f"_btag_var_{i}Up"] = 1 + 0.075 * pt / 50
        out[f"_btag_var_{i}Down"] = 1 - 0.075 * pt / 50
    wjets = sample == "wjets"
    out["_scale_varUp"] = 1.025 if wjets else 1.0
    out["_scale_varDown"] = 0.975 if wjets else 1.0
    out["_lumiUp"] = 1.03
    out["_lumiDown"] = 1 / 1.03
    return out


def new_hist():
    return {"sumw": [0.0] * (len(EDGES) + 1), "sumw2": [0.0] * (len(EDGES) + 1), "entries": 0}


def fill(hists, key, b, w):
    h = hists.setdefault(key, new_hist())
    h["sumw"][b] += w
    h["sumw2"][b] += w * w
    h["entries"] += 1


def mirror(nominal, up):
    """A one-sided variation's down copy: 2 * nominal - up, bin by bin (its sumw2 as for any such sum)."""
    nominal, up = nominal or new_hist(), up or new_hist()
    return {
        "sumw": [2 * n - u for n, u in zip(nominal["sumw"], up["sumw"])],
        "sumw2": [4 * n + u for n, u in zip(nominal["sumw2"], up["sumw2"])],
        "entries": nominal["entries"] + up["entries"],
    }


def shapes(spec, sample):
    """The shape variations: (suffix, jet_pt(entry, k, pt)), entry counted over the sample's files."""
    out = []
    for name, up, down in spec["scale"]:
        out.append((f"_{name}Up", lambda e, k, pt, f=up: f * pt))
        out.append((f"_{name}Down", lambda e, k, pt, f=down: f * pt))
    for name, site, sigma in spec["smear"]:
        out.append((f"_{name}Up", lambda e, k, pt, site=site, sigma=sigma: pt * gauss(1, sigma, e, k, site, spec["seed"], sample)))
    return out


def sample_histograms(spec, s, varied):
    """One sample's histograms, '{region}/{name}{suffix}' -> sums: the nominal and, when varied, the
    weight variations (same events) and the shape variations (selection and observables again with
    the varied jet pT, nominal weights)."""
    hists = {}
    entries = sum(len(f["Jet_pt"]) for f in s["files"])
    norm = s["xsec"] * spec["lumi"] / entries if s["xsec"] is not None else 1.0
    first = 0
    for f in s["files"]:
        for jets, nlep in events(f):
            if nlep != 1 or len(jets) < 4:
                continue
            obs = observable(jets)
            if obs is None:
                continue
            region, name, x = obs
            fill(hists, f"{region}/{name}", bin_of(x), norm)
            if varied:
                for suffix, factor in weight_variations(s["name"], jets).items():
                    fill(hists, f"{region}/{name}{suffix}", bin_of(x), norm * factor)
        for suffix, jet_pt in shapes(spec, s["name"]) if varied else []:
            for jets, nlep in events(f, lambda e, k, pt, first=first, jet_pt=jet_pt: jet_pt(first + e, k, pt)):
                if nlep != 1 or len(jets) < 4:
                    continue
                obs = observable(jets)
                if obs is not None:
                    fill(hists, f"{obs[0]}/{obs[1]}{suffix}", bin_of(obs[2]), norm)
        first += len(f["Jet_pt"])
    return hists


def main():
    spec = json.load(open(sys.argv[1]))
    alternatives = {a for _, _, up, down in spec["alternatives"] for a in (up, down) if a}
    data = {s["name"] for s in spec["samples"] if s["xsec"] is None}
    per_sample = {s["name"]: sample_histograms(spec, s, s["name"] not in alternatives | data) for s in spec["samples"]}
    out = {}
    for sample, hists in per_sample.items():
        if sample in alternatives or sample in data:
            continue
        for key, h in hists.items():
            region, name = key.split("/")
            out[f"{region}/{name}/{sample}"] = h
        for region, name in (("r4j1b", "ht"), ("r4j2b", "m_bjj")):
            nominal = hists.get(f"{region}/{name}")
            # one-sided shape variations (the smearing): the down copy mirrored
            for smear, _, _ in spec["smear"]:
                out[f"{region}/{name}_{smear}Down/{sample}"] = mirror(nominal, hists.get(f"{region}/{name}_{smear}Up"))
            # alternative samples replace the sample they are for; the others keep their nominal
            for syst, of, up, down in spec["alternatives"]:
                if sample != of:
                    for d in ("Up", "Down"):
                        if nominal:
                            out[f"{region}/{name}_{syst}{d}/{sample}"] = nominal
                    continue
                hup = per_sample[up].get(f"{region}/{name}")
                hdown = per_sample[down].get(f"{region}/{name}") if down else mirror(nominal, hup)
                for d, h in (("Up", hup), ("Down", hdown)):
                    if h:
                        out[f"{region}/{name}_{syst}{d}/{sample}"] = h
    # what was measured is not varied: each of a data sample's copies is its nominal
    copies = {key.split("/")[1] for key in out}
    for sample in data:
        for key, h in per_sample[sample].items():
            region, name = key.split("/")
            for copy in copies:
                if copy == name or copy.startswith(name + "_"):
                    out[f"{region}/{copy}/{sample}"] = h
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
