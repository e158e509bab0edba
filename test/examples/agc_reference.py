"""The AGC example's histograms computed independently of hepc, in plain Python (no numpy).

Reads a JSON file of the samples' input columns (as hepc's reader gives them; the test writes
it) and prints a JSON object: for every histogram the example writes, nominal and varied, keyed
"REGION/NAME/SAMPLE" as the run's results are, its sums of weights and of squared weights per
bin, underflow first and overflow last. The selection, observables and variations follow the AGC
(iris-hep/analysis-grand-challenge, analyses/cms-open-data-ttbar/ttbar_analysis_pipeline.py):
trijets from itertools.combinations, the b-tag weights of the four leading jets, the W+jets scale,
the luminosity.

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


def events(columns):
    """Yields (jets, n_leptons) per event: jets as dicts passing the AGC's jet cuts, in file order."""
    n = len(columns["Jet_pt"])
    for e in range(n):
        jets = []
        for k in range(len(columns["Jet_pt"][e])):
            pt, eta = columns["Jet_pt"][e][k], columns["Jet_eta"][e][k]
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


def variations(sample, jets, systematics):
    """Weight factors per histogram suffix ('' nominal) for one selected event."""
    out = {"": 1.0}
    for i in range(4):
        pt = jets[i]["pt"]
        out[f"_btag_var_{i}Up"] = 1 + 0.075 * pt / 50
        out[f"_btag_var_{i}Down"] = 1 - 0.075 * pt / 50
    wjets = sample == "wjets"
    out["_scale_varUp"] = 1.025 if wjets else 1.0
    out["_scale_varDown"] = 0.975 if wjets else 1.0
    out["_lumiUp"] = 1.03
    out["_lumiDown"] = 1 / 1.03
    return out if systematics else {"": 1.0}


def main():
    spec = json.load(open(sys.argv[1]))
    hists = {}
    for s in spec["samples"]:
        entries = sum(len(f["Jet_pt"]) for f in s["files"])
        norm = s["xsec"] * spec["lumi"] / entries if s["xsec"] is not None else 1.0
        for f in s["files"]:
            for jets, nlep in events(f):
                if nlep != 1 or len(jets) < 4:
                    continue
                obs = observable(jets)
                if obs is None:
                    continue
                region, name, x = obs
                b = bin_of(x)
                for suffix, factor in variations(s["name"], jets, spec["systematics"]).items():
                    key = f"{region}/{name}{suffix}/{s['name']}"
                    h = hists.setdefault(key, {"sumw": [0.0] * (len(EDGES) + 1), "sumw2": [0.0] * (len(EDGES) + 1), "entries": 0})
                    w = norm * factor
                    h["sumw"][b] += w
                    h["sumw2"][b] += w * w
                    h["entries"] += 1
    json.dump(hists, sys.stdout)


main()
