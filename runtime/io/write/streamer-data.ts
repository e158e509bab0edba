/**
 * Class layouts (TStreamerInfo contents) for every class the writer serializes.
 *
 * These are facts of the ROOT format, not choices: checksums and member lists must be what ROOT
 * computes for these class versions, or ROOT warns about mismatching streamer info when it opens
 * the file. They were decoded (with jsroot) from the ROOT-recorded streamer records published in
 * uproot's sources; every class that also occurs in ROOT-written test files (TTree 20, TBranch 13,
 * TLeaf*, ROOT::TIOFeatures, collections, TAxis 10, TAttAxis 4, TAtt*) was checked to have the
 * same checksum and members there (see test/io/write-structure.test.ts, HEPC_ROOT_TESTDATA).
 * TH1 8, TH1F/TH1D 3, TH2 5, TH2F/TH2D 4 and TLeafS 1 rest on those records alone. Titles are
 * documentation only. Generated data: edit only to add classes.
 */
import type { ClassSpec } from "./streamer-types.js";

export const CLASS_SPECS: readonly ClassSpec[] = [
  {
   name: "TObject", version: 1, checksum: 2417737773,
   elements: [
    {"cls":"TStreamerBasicType","name":"fUniqueID","title":"object unique identifier","type":13,"size":4,"typeName":"unsigned int"},
    {"cls":"TStreamerBasicType","name":"fBits","title":"bit field status word","type":15,"size":4,"typeName":"unsigned int"},
   ],
  },
  {
   name: "TNamed", version: 1, checksum: 3753331260,
   elements: [
    {"cls":"TStreamerBase","name":"TObject","title":"Basic ROOT object","type":66,"size":0,"typeName":"BASE","maxIndex":[0,2417737773,0,0,0],"baseVersion":1},
    {"cls":"TStreamerString","name":"fName","title":"object identifier","type":65,"size":24,"typeName":"TString"},
    {"cls":"TStreamerString","name":"fTitle","title":"object title","type":65,"size":24,"typeName":"TString"},
   ],
  },
  {
   name: "TString", version: 2, checksum: 95257,
   elements: [

   ],
  },
  {
   name: "TAttLine", version: 2, checksum: 2483504457,
   elements: [
    {"cls":"TStreamerBasicType","name":"fLineColor","title":"Line color","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fLineStyle","title":"Line style","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fLineWidth","title":"Line width","type":2,"size":2,"typeName":"short"},
   ],
  },
  {
   name: "TAttFill", version: 2, checksum: 4292422290,
   elements: [
    {"cls":"TStreamerBasicType","name":"fFillColor","title":"Fill area color","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fFillStyle","title":"Fill area style","type":2,"size":2,"typeName":"short"},
   ],
  },
  {
   name: "TAttMarker", version: 2, checksum: 689802220,
   elements: [
    {"cls":"TStreamerBasicType","name":"fMarkerColor","title":"Marker color","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fMarkerStyle","title":"Marker style","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fMarkerSize","title":"Marker size","type":5,"size":4,"typeName":"float"},
   ],
  },
  {
   name: "TCollection", version: 3, checksum: 1474546588,
   elements: [
    {"cls":"TStreamerBase","name":"TObject","title":"Basic ROOT object","type":66,"size":0,"typeName":"BASE","maxIndex":[0,2417737773,0,0,0],"baseVersion":1},
    {"cls":"TStreamerString","name":"fName","title":"name of the collection","type":65,"size":24,"typeName":"TString"},
    {"cls":"TStreamerBasicType","name":"fSize","title":"number of elements in collection","type":3,"size":4,"typeName":"int"},
   ],
  },
  {
   name: "TSeqCollection", version: 0, checksum: 4234951622,
   elements: [
    {"cls":"TStreamerBase","name":"TCollection","title":"Collection abstract base class","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1474546588,0,0,0],"baseVersion":3},
   ],
  },
  {
   name: "TList", version: 5, checksum: 1774568379,
   elements: [
    {"cls":"TStreamerBase","name":"TSeqCollection","title":"Sequenceable collection ABC","type":0,"size":0,"typeName":"BASE","maxIndex":[0,4234951622,0,0,0],"baseVersion":0},
   ],
  },
  {
   name: "THashList", version: 0, checksum: 3430828481,
   elements: [
    {"cls":"TStreamerBase","name":"TList","title":"Doubly linked list","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1774568379,0,0,0],"baseVersion":5},
   ],
  },
  {
   name: "TObjArray", version: 3, checksum: 2845730130,
   elements: [
    {"cls":"TStreamerBase","name":"TSeqCollection","title":"Sequenceable collection ABC","type":0,"size":0,"typeName":"BASE","maxIndex":[0,4234951622,0,0,0],"baseVersion":0},
    {"cls":"TStreamerBasicType","name":"fLowerBound","title":"Lower bound of the array","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fLast","title":"Last element in array containing an object","type":3,"size":4,"typeName":"int"},
   ],
  },
  {
   name: "ROOT::TIOFeatures", version: 1, checksum: 446770960,
   elements: [
    {"cls":"TStreamerBasicType","name":"fIOBits","title":"","type":11,"size":1,"typeName":"unsigned char"},
   ],
  },
  {
   name: "TTree", version: 20, checksum: 1919213695,
   elements: [
    {"cls":"TStreamerBase","name":"TNamed","title":"The basis for a named object (name, title)","type":67,"size":0,"typeName":"BASE","maxIndex":[0,3753331260,0,0,0],"baseVersion":1},
    {"cls":"TStreamerBase","name":"TAttLine","title":"Line attributes","type":0,"size":0,"typeName":"BASE","maxIndex":[0,2483504457,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBase","name":"TAttFill","title":"Fill area attributes","type":0,"size":0,"typeName":"BASE","maxIndex":[0,4292422290,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBase","name":"TAttMarker","title":"Marker attributes","type":0,"size":0,"typeName":"BASE","maxIndex":[0,689802220,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBasicType","name":"fEntries","title":"Number of entries","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fTotBytes","title":"Total number of bytes in all branches before compression","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fZipBytes","title":"Total number of bytes in all branches after compression","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fSavedBytes","title":"Number of autosaved bytes","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fFlushedBytes","title":"Number of auto-flushed bytes","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fWeight","title":"Tree weight (see TTree::SetWeight)","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fTimerInterval","title":"Timer interval in milliseconds","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fScanField","title":"Number of runs before prompting in Scan","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fUpdate","title":"Update frequency for EntryLoop","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fDefaultEntryOffsetLen","title":"Initial Length of fEntryOffset table in the basket buffers","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fNClusterRange","title":"Number of Cluster range in addition to the one defined by 'AutoFlush'","type":6,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fMaxEntries","title":"Maximum number of entries in case of circular buffers","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fMaxEntryLoop","title":"Maximum number of entries to process","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fMaxVirtualSize","title":"Maximum total size of buffers kept in memory","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fAutoSave","title":"Autosave tree when fAutoSave entries written or -fAutoSave (compressed) bytes produced","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fAutoFlush","title":"Auto-flush tree when fAutoFlush entries written or -fAutoFlush (compressed) bytes produced","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fEstimate","title":"Number of entries to estimate histogram limits","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicPointer","name":"fClusterRangeEnd","title":"[fNClusterRange] Last entry of a cluster range.","type":56,"size":8,"typeName":"Long64_t*","countVersion":20,"countName":"fNClusterRange","countClass":"TTree"},
    {"cls":"TStreamerBasicPointer","name":"fClusterSize","title":"[fNClusterRange] Number of entries in each cluster for a given range.","type":56,"size":8,"typeName":"Long64_t*","countVersion":20,"countName":"fNClusterRange","countClass":"TTree"},
    {"cls":"TStreamerObjectAny","name":"fIOFeatures","title":"IO features to define for newly-written baskets and branches.","type":62,"size":1,"typeName":"ROOT::TIOFeatures"},
    {"cls":"TStreamerObject","name":"fBranches","title":"List of Branches","type":61,"size":64,"typeName":"TObjArray"},
    {"cls":"TStreamerObject","name":"fLeaves","title":"Direct pointers to individual branch leaves","type":61,"size":64,"typeName":"TObjArray"},
    {"cls":"TStreamerObjectPointer","name":"fAliases","title":"List of aliases for expressions based on the tree branches.","type":64,"size":8,"typeName":"TList*"},
    {"cls":"TStreamerObjectAny","name":"fIndexValues","title":"Sorted index values","type":62,"size":24,"typeName":"TArrayD"},
    {"cls":"TStreamerObjectAny","name":"fIndex","title":"Index of sorted values","type":62,"size":24,"typeName":"TArrayI"},
    {"cls":"TStreamerObjectPointer","name":"fTreeIndex","title":"Pointer to the tree Index (if any)","type":64,"size":8,"typeName":"TVirtualIndex*"},
    {"cls":"TStreamerObjectPointer","name":"fFriends","title":"pointer to list of friend elements","type":64,"size":8,"typeName":"TList*"},
    {"cls":"TStreamerObjectPointer","name":"fUserInfo","title":"pointer to a list of user objects associated to this Tree","type":64,"size":8,"typeName":"TList*"},
    {"cls":"TStreamerObjectPointer","name":"fBranchRef","title":"Branch supporting the TRefTable (if any)","type":64,"size":8,"typeName":"TBranchRef*"},
   ],
  },
  {
   name: "TBranch", version: 13, checksum: 278366892,
   elements: [
    {"cls":"TStreamerBase","name":"TNamed","title":"The basis for a named object (name, title)","type":67,"size":0,"typeName":"BASE","maxIndex":[0,3753331260,0,0,0],"baseVersion":1},
    {"cls":"TStreamerBase","name":"TAttFill","title":"Fill area attributes","type":0,"size":0,"typeName":"BASE","maxIndex":[0,4292422290,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBasicType","name":"fCompress","title":"Compression level and algorithm","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fBasketSize","title":"Initial Size of  Basket Buffer","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fEntryOffsetLen","title":"Initial Length of fEntryOffset table in the basket buffers","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fWriteBasket","title":"Last basket number written","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fEntryNumber","title":"Current entry number (last one filled in this branch)","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerObjectAny","name":"fIOFeatures","title":"IO features for newly-created baskets.","type":62,"size":1,"typeName":"ROOT::TIOFeatures"},
    {"cls":"TStreamerBasicType","name":"fOffset","title":"Offset of this branch","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fMaxBaskets","title":"Maximum number of Baskets so far","type":6,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fSplitLevel","title":"Branch split level","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fEntries","title":"Number of entries","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fFirstEntry","title":"Number of the first entry in this branch","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fTotBytes","title":"Total number of bytes in all leaves before compression","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fZipBytes","title":"Total number of bytes in all leaves after compression","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerObject","name":"fBranches","title":"-> List of Branches of this branch","type":61,"size":64,"typeName":"TObjArray"},
    {"cls":"TStreamerObject","name":"fLeaves","title":"-> List of leaves of this branch","type":61,"size":64,"typeName":"TObjArray"},
    {"cls":"TStreamerObject","name":"fBaskets","title":"-> List of baskets of this branch","type":61,"size":64,"typeName":"TObjArray"},
    {"cls":"TStreamerBasicPointer","name":"fBasketBytes","title":"[fMaxBaskets] Length of baskets on file","type":43,"size":4,"typeName":"int*","countVersion":13,"countName":"fMaxBaskets","countClass":"TBranch"},
    {"cls":"TStreamerBasicPointer","name":"fBasketEntry","title":"[fMaxBaskets] Table of first entry in each basket","type":56,"size":8,"typeName":"Long64_t*","countVersion":13,"countName":"fMaxBaskets","countClass":"TBranch"},
    {"cls":"TStreamerBasicPointer","name":"fBasketSeek","title":"[fMaxBaskets] Addresses of baskets on file","type":56,"size":8,"typeName":"Long64_t*","countVersion":13,"countName":"fMaxBaskets","countClass":"TBranch"},
    {"cls":"TStreamerString","name":"fFileName","title":"Name of file where buffers are stored (\"\" if in same file as Tree header)","type":65,"size":24,"typeName":"TString"},
   ],
  },
  {
   name: "TBranchRef", version: 1, checksum: 593540093,
   elements: [
    {"cls":"TStreamerBase","name":"TBranch","title":"Branch descriptor","type":0,"size":0,"typeName":"BASE","maxIndex":[0,278366892,0,0,0],"baseVersion":13},
    {"cls":"TStreamerObjectPointer","name":"fRefTable","title":"pointer to the TRefTable","type":64,"size":8,"typeName":"TRefTable*"},
   ],
  },
  {
   name: "TRefTable", version: 3, checksum: 2357812101,
   elements: [
    {"cls":"TStreamerBase","name":"TObject","title":"Basic ROOT object","type":66,"size":0,"typeName":"BASE","maxIndex":[0,2417737773,0,0,0],"baseVersion":1},
    {"cls":"TStreamerBasicType","name":"fSize","title":"dummy for backward compatibility","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerObjectPointer","name":"fParents","title":"array of Parent objects  (eg TTree branch) holding the referenced objects","type":64,"size":8,"typeName":"TObjArray*"},
    {"cls":"TStreamerObjectPointer","name":"fOwner","title":"Object owning this TRefTable","type":64,"size":8,"typeName":"TObject*"},
    {"cls":"TStreamerSTL","name":"fProcessGUIDs","title":"UUIDs of TProcessIDs used in fParentIDs","type":500,"size":24,"typeName":"vector<string>","stlType":1,"ctype":61},
   ],
  },
  {
   name: "TLeaf", version: 2, checksum: 1830715730,
   elements: [
    {"cls":"TStreamerBase","name":"TNamed","title":"The basis for a named object (name, title)","type":67,"size":0,"typeName":"BASE","maxIndex":[0,3753331260,0,0,0],"baseVersion":1},
    {"cls":"TStreamerBasicType","name":"fLen","title":"Number of fixed length elements in the leaf's data.","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fLenType","title":"Number of bytes for this data type","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fOffset","title":"Offset in ClonesArray object (if one)","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fIsRange","title":"(=kTRUE if leaf has a range, kFALSE otherwise).  This is equivalent to being a 'leafcount'.  For a TLeafElement the range information is actually store in the TBranchElement.","type":18,"size":1,"typeName":"bool"},
    {"cls":"TStreamerBasicType","name":"fIsUnsigned","title":"(=kTRUE if unsigned, kFALSE otherwise)","type":18,"size":1,"typeName":"bool"},
    {"cls":"TStreamerObjectPointer","name":"fLeafCount","title":"Pointer to Leaf count if variable length (we do not own the counter)","type":64,"size":8,"typeName":"TLeaf*"},
   ],
  },
  {
   name: "TLeafO", version: 1, checksum: 44976339,
   elements: [
    {"cls":"TStreamerBase","name":"TLeaf","title":"Leaf: description of a Branch data type","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1830715730,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBasicType","name":"fMinimum","title":"Minimum value if leaf range is specified","type":18,"size":1,"typeName":"bool"},
    {"cls":"TStreamerBasicType","name":"fMaximum","title":"Maximum value if leaf range is specified","type":18,"size":1,"typeName":"bool"},
   ],
  },
  {
   name: "TLeafB", version: 1, checksum: 253643614,
   elements: [
    {"cls":"TStreamerBase","name":"TLeaf","title":"Leaf: description of a Branch data type","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1830715730,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBasicType","name":"fMinimum","title":"Minimum value if leaf range is specified","type":1,"size":1,"typeName":"char"},
    {"cls":"TStreamerBasicType","name":"fMaximum","title":"Maximum value if leaf range is specified","type":1,"size":1,"typeName":"char"},
   ],
  },
  {
   name: "TLeafS", version: 1, checksum: 353169103,
   elements: [
    {"cls":"TStreamerBase","name":"TLeaf","title":"Leaf: description of a Branch data type","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1830715730,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBasicType","name":"fMinimum","title":"Minimum value if leaf range is specified","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fMaximum","title":"Maximum value if leaf range is specified","type":2,"size":2,"typeName":"short"},
   ],
  },
  {
   name: "TLeafI", version: 1, checksum: 2120920601,
   elements: [
    {"cls":"TStreamerBase","name":"TLeaf","title":"Leaf: description of a Branch data type","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1830715730,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBasicType","name":"fMinimum","title":"Minimum value if leaf range is specified","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fMaximum","title":"Maximum value if leaf range is specified","type":3,"size":4,"typeName":"int"},
   ],
  },
  {
   name: "TLeafL", version: 1, checksum: 3727820898,
   elements: [
    {"cls":"TStreamerBase","name":"TLeaf","title":"Leaf: description of a Branch data type","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1830715730,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBasicType","name":"fMinimum","title":"Minimum value if leaf range is specified","type":16,"size":8,"typeName":"Long64_t"},
    {"cls":"TStreamerBasicType","name":"fMaximum","title":"Maximum value if leaf range is specified","type":16,"size":8,"typeName":"Long64_t"},
   ],
  },
  {
   name: "TLeafF", version: 1, checksum: 987602290,
   elements: [
    {"cls":"TStreamerBase","name":"TLeaf","title":"Leaf: description of a Branch data type","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1830715730,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBasicType","name":"fMinimum","title":"Minimum value if leaf range is specified","type":5,"size":4,"typeName":"float"},
    {"cls":"TStreamerBasicType","name":"fMaximum","title":"Maximum value if leaf range is specified","type":5,"size":4,"typeName":"float"},
   ],
  },
  {
   name: "TLeafD", version: 1, checksum: 294553462,
   elements: [
    {"cls":"TStreamerBase","name":"TLeaf","title":"Leaf: description of a Branch data type","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1830715730,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBasicType","name":"fMinimum","title":"Minimum value if leaf range is specified","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fMaximum","title":"Maximum value if leaf range is specified","type":8,"size":8,"typeName":"double"},
   ],
  },
  {
   name: "TAttAxis", version: 4, checksum: 1550843710,
   elements: [
    {"cls":"TStreamerBasicType","name":"fNdivisions","title":"Number of divisions(10000*n3 + 100*n2 + n1)","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fAxisColor","title":"Color of the line axis","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fLabelColor","title":"Color of labels","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fLabelFont","title":"Font for labels","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fLabelOffset","title":"Offset of labels","type":5,"size":4,"typeName":"float"},
    {"cls":"TStreamerBasicType","name":"fLabelSize","title":"Size of labels","type":5,"size":4,"typeName":"float"},
    {"cls":"TStreamerBasicType","name":"fTickLength","title":"Length of tick marks","type":5,"size":4,"typeName":"float"},
    {"cls":"TStreamerBasicType","name":"fTitleOffset","title":"Offset of axis title","type":5,"size":4,"typeName":"float"},
    {"cls":"TStreamerBasicType","name":"fTitleSize","title":"Size of axis title","type":5,"size":4,"typeName":"float"},
    {"cls":"TStreamerBasicType","name":"fTitleColor","title":"Color of axis title","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fTitleFont","title":"Font for axis title","type":2,"size":2,"typeName":"short"},
   ],
  },
  {
   name: "TAxis", version: 10, checksum: 1514761840,
   elements: [
    {"cls":"TStreamerBase","name":"TNamed","title":"The basis for a named object (name, title)","type":67,"size":0,"typeName":"BASE","maxIndex":[0,3753331260,0,0,0],"baseVersion":1},
    {"cls":"TStreamerBase","name":"TAttAxis","title":"Axis attributes","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1550843710,0,0,0],"baseVersion":4},
    {"cls":"TStreamerBasicType","name":"fNbins","title":"Number of bins","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fXmin","title":"low edge of first bin","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fXmax","title":"upper edge of last bin","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerObjectAny","name":"fXbins","title":"Bin edges array in X","type":62,"size":24,"typeName":"TArrayD"},
    {"cls":"TStreamerBasicType","name":"fFirst","title":"first bin to display","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fLast","title":"last bin to display","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicType","name":"fBits2","title":"second bit status word","type":12,"size":2,"typeName":"unsigned short"},
    {"cls":"TStreamerBasicType","name":"fTimeDisplay","title":"on/off displaying time values instead of numerics","type":18,"size":1,"typeName":"bool"},
    {"cls":"TStreamerString","name":"fTimeFormat","title":"Date&time format, ex: 09/12/99 12:34:00","type":65,"size":24,"typeName":"TString"},
    {"cls":"TStreamerObjectPointer","name":"fLabels","title":"List of labels","type":64,"size":8,"typeName":"THashList*"},
    {"cls":"TStreamerObjectPointer","name":"fModLabs","title":"List of modified labels","type":64,"size":8,"typeName":"TList*"},
   ],
  },
  {
   name: "TH1", version: 8, checksum: 473383108,
   elements: [
    {"cls":"TStreamerBase","name":"TNamed","title":"The basis for a named object (name, title)","type":67,"size":0,"typeName":"BASE","maxIndex":[0,3753331260,0,0,0],"baseVersion":1},
    {"cls":"TStreamerBase","name":"TAttLine","title":"Line attributes","type":0,"size":0,"typeName":"BASE","maxIndex":[0,2483504457,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBase","name":"TAttFill","title":"Fill area attributes","type":0,"size":0,"typeName":"BASE","maxIndex":[0,4292422290,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBase","name":"TAttMarker","title":"Marker attributes","type":0,"size":0,"typeName":"BASE","maxIndex":[0,689802220,0,0,0],"baseVersion":2},
    {"cls":"TStreamerBasicType","name":"fNcells","title":"number of bins(1D), cells (2D) +U/Overflows","type":3,"size":4,"typeName":"int"},
    {"cls":"TStreamerObject","name":"fXaxis","title":"X axis descriptor","type":61,"size":216,"typeName":"TAxis"},
    {"cls":"TStreamerObject","name":"fYaxis","title":"Y axis descriptor","type":61,"size":216,"typeName":"TAxis"},
    {"cls":"TStreamerObject","name":"fZaxis","title":"Z axis descriptor","type":61,"size":216,"typeName":"TAxis"},
    {"cls":"TStreamerBasicType","name":"fBarOffset","title":"(1000*offset) for bar charts or legos","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fBarWidth","title":"(1000*width) for bar charts or legos","type":2,"size":2,"typeName":"short"},
    {"cls":"TStreamerBasicType","name":"fEntries","title":"Number of entries","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fTsumw","title":"Total Sum of weights","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fTsumw2","title":"Total Sum of squares of weights","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fTsumwx","title":"Total Sum of weight*X","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fTsumwx2","title":"Total Sum of weight*X*X","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fMaximum","title":"Maximum value for plotting","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fMinimum","title":"Minimum value for plotting","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fNormFactor","title":"Normalization factor","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerObjectAny","name":"fContour","title":"Array to display contour levels","type":62,"size":24,"typeName":"TArrayD"},
    {"cls":"TStreamerObjectAny","name":"fSumw2","title":"Array of sum of squares of weights","type":62,"size":24,"typeName":"TArrayD"},
    {"cls":"TStreamerString","name":"fOption","title":"histogram options","type":65,"size":24,"typeName":"TString"},
    {"cls":"TStreamerObjectPointer","name":"fFunctions","title":"->Pointer to list of functions (fits and user)","type":63,"size":8,"typeName":"TList*"},
    {"cls":"TStreamerBasicType","name":"fBufferSize","title":"fBuffer size","type":6,"size":4,"typeName":"int"},
    {"cls":"TStreamerBasicPointer","name":"fBuffer","title":"[fBufferSize] entry buffer","type":48,"size":8,"typeName":"double*","countVersion":8,"countName":"fBufferSize","countClass":"TH1"},
    {"cls":"TStreamerBasicType","name":"fBinStatErrOpt","title":"option for bin statistical errors","type":3,"size":4,"typeName":"TH1::EBinErrorOpt"},
    {"cls":"TStreamerBasicType","name":"fStatOverflows","title":"per object flag to use under/overflows in statistics","type":3,"size":4,"typeName":"TH1::EStatOverflows"},
   ],
  },
  {
   name: "TH1F", version: 3, checksum: 3801323076,
   elements: [
    {"cls":"TStreamerBase","name":"TH1","title":"1-Dim histogram base class","type":0,"size":0,"typeName":"BASE","maxIndex":[0,473383108,0,0,0],"baseVersion":8},
    {"cls":"TStreamerBase","name":"TArrayF","title":"Array of floats","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1510733553,0,0,0],"baseVersion":1},
   ],
  },
  {
   name: "TH1D", version: 3, checksum: 4189148831,
   elements: [
    {"cls":"TStreamerBase","name":"TH1","title":"1-Dim histogram base class","type":0,"size":0,"typeName":"BASE","maxIndex":[0,473383108,0,0,0],"baseVersion":8},
    {"cls":"TStreamerBase","name":"TArrayD","title":"Array of doubles","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1899622196,0,0,0],"baseVersion":1},
   ],
  },
  {
   name: "TH2", version: 5, checksum: 25310335,
   elements: [
    {"cls":"TStreamerBase","name":"TH1","title":"1-Dim histogram base class","type":0,"size":0,"typeName":"BASE","maxIndex":[0,473383108,0,0,0],"baseVersion":8},
    {"cls":"TStreamerBasicType","name":"fScalefactor","title":"Scale factor","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fTsumwy","title":"Total Sum of weight*Y","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fTsumwy2","title":"Total Sum of weight*Y*Y","type":8,"size":8,"typeName":"double"},
    {"cls":"TStreamerBasicType","name":"fTsumwxy","title":"Total Sum of weight*X*Y","type":8,"size":8,"typeName":"double"},
   ],
  },
  {
   name: "TH2F", version: 4, checksum: 1755103893,
   elements: [
    {"cls":"TStreamerBase","name":"TH2","title":"2-Dim histogram base class","type":0,"size":0,"typeName":"BASE","maxIndex":[0,25310335,0,0,0],"baseVersion":5},
    {"cls":"TStreamerBase","name":"TArrayF","title":"Array of floats","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1510733553,0,0,0],"baseVersion":1},
   ],
  },
  {
   name: "TH2D", version: 4, checksum: 2142929648,
   elements: [
    {"cls":"TStreamerBase","name":"TH2","title":"2-Dim histogram base class","type":0,"size":0,"typeName":"BASE","maxIndex":[0,25310335,0,0,0],"baseVersion":5},
    {"cls":"TStreamerBase","name":"TArrayD","title":"Array of doubles","type":0,"size":0,"typeName":"BASE","maxIndex":[0,1899622196,0,0,0],"baseVersion":1},
   ],
  },
];
