// Generated from kubectl v1.32 output (`kubectl create configmap x --from-file=DIR --dry-run=client -o yaml` and
// `kubectl label --local -f cr.json y=2 -o yaml|json`): the reference for kubectl-compatible YAML and JSON.
// The inputs cover go-yaml's quoting, folding at 80 columns, literal blocks, key order and number forms.
enum KubectlOracle {
    static let configMapInput =
        "{\"apiVersion\": \"v1\", \"data\": {\"-x\": \"v\", \".x\": \"v\", \"0\": \"v\", \"00\": \"v\", \"1\": \"v\", \"10\": \"v\", \"9\": \"v\", \"A_b\": \"v\", \"B\": \"v\", \"Z\": \"v\", \"_x\": \"v\", \"a\": \"v\", \"a-b\": \"v\", \"a.b\": \"v\", \"a0\": \"v\", \"a00\": \"v\", \"a01\": \"v\", \"a1\": \"v\", \"a10b\": \"v\", \"a9b\": \"v\", \"a9c\": \"v\", \"aa\": \"v\", \"ab01\": \"v\", \"ab1\": \"v\", \"ab10\": \"v\", \"app002\": \"v\", \"app02\": \"v\", \"app10\": \"v\", \"app2\": \"v\", \"b\": \"v\", \"k000\": \"\", \"k001\": \" \", \"k002\": \"a\", \"k003\": \"yes\", \"k004\": \"No\", \"k005\": \"on\", \"k006\": \"OFF\", \"k007\": \"y\", \"k008\": \"n\", \"k009\": \"true\", \"k010\": \"null\", \"k011\": \"~\", \"k012\": \"Null\", \"k013\": \"0\", \"k014\": \"-1\", \"k015\": \"+1\", \"k016\": \"1.5\", \"k017\": \".5\", \"k018\": \"1e3\", \"k019\": \"1_000\", \"k020\": \"0x1F\", \"k021\": \"0o17\", \"k022\": \"0b101\", \"k023\": \"08\", \"k024\": \"0755\", \"k025\": \"1:20\", \"k026\": \"12:30:45\", \"k027\": \"-\", \"k028\": \"--\", \"k029\": \"---\", \"k030\": \"...\", \"k031\": \"- a\", \"k032\": \"-a\", \"k033\": \"a -\", \"k034\": \"? x\", \"k035\": \"?x\", \"k036\": \":x\", \"k037\": \"x:\", \"k038\": \"x: y\", \"k039\": \"x:y\", \"k040\": \"#c\", \"k041\": \"a #c\", \"k042\": \"a#c\", \"k043\": \"[a]\", \"k044\": \"a[b]\", \"k045\": \"{a}\", \"k046\": \"a,b\", \"k047\": \"&a\", \"k048\": \"*a\", \"k049\": \"!a\", \"k050\": \"|a\", \"k051\": \">a\", \"k052\": \"'a\", \"k053\": \"\\\"a\", \"k054\": \"%a\", \"k055\": \"@a\", \"k056\": \"`a\", \"k057\": \"a'b\", \"k058\": \"a\\\"b\", \"k059\": \"a\\\\b\", \"k060\": \"tab\\there\", \"k061\": \"cr\\rhere\", \"k062\": \"nl\\nhere\", \"k063\": \"end\\n\", \"k064\": \"end\\n\\n\", \"k065\": \"\\nlead\", \"k066\": \" lead\", \"k067\": \"trail \", \"k068\": \"a  b\", \"k069\": \"a \\nb\", \"k070\": \"a\\n b\", \"k071\": \"\u{E9}\", \"k072\": \"\u{65E5}\u{672C}\", \"k073\": \"\u{1F600}\", \"k074\": \"\u{A0}x\", \"k075\": \"\u{85}\", \"k076\": \"\u{FEFF}\", \"k077\": \"\u{2028}\", \"k078\": \"2024-01-15\", \"k079\": \"2024-1-5\", \"k080\": \"2024-13-01\", \"k081\": \"2024-02-30\", \"k082\": \"2024-02-29\", \"k083\": \"2023-02-29\", \"k084\": \"2026-11-26T01:30:24Z\", \"k085\": \"2026-11-26T01:30:24.123Z\", \"k086\": \"2026-11-26 01:30:24\", \"k087\": \"2026-11-26t1:2:3+01:00\", \"k088\": \"2026-11-26T01:30:24\", \"k089\": \"2026-11-26T25:00:00Z\", \"k090\": \".inf\", \"k091\": \"-.Inf\", \"k092\": \".NaN\", \"k093\": \".nan.\", \"k094\": \"+.inf\", \"k095\": \"inf\", \"k096\": \"NaN\", \"k097\": \"1.\", \"k098\": \"-.5\", \"k099\": \"+.5e-3\", \"k100\": \"1e\", \"k101\": \"0.0.1\", \"k102\": \"6.3.5\", \"k103\": \"v1\", \"k104\": \"<<\", \"k105\": \"=\", \"k106\": \"a=b\", \"k107\": \"oci://ghcr.io/stefanprodan/manifests/podinfo\", \"k108\": \"sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871\", \"k109\": \"stored artifact for digest '6.3.5@sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871'\", \"k110\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", \"k111\": \"a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b \", \"k112\": \"word word word word word word word word word word word word word word word word word word word word word word word word word\", \"k113\": \"a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b \", \"k114\": \"'quoted long' 'quoted long' 'quoted long' 'quoted long' 'quoted long' 'quoted long' 'quoted long' 'quoted long' 'quoted long' 'quoted long' \", \"k115\": \"tab\\tw w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w \", \"k116\": \"line one\\nline two with a very long sentence that goes past the eighty column limit for sure yes\\n\", \"k117\": \"trailing space line \\nnext\", \"k118\": \"  two leading\", \"k119\": \"multi\\n\\n\\nblank\", \"k120\": \"x\\n \", \"k121\": \" \\n\", \"k122\": \"\\n\", \"k123\": \"\\n\\n\", \"k124\": \" #ab\\\"b:-a\\\"cab##bcb\\\"#a-bc-a--#aca\\\" d# \\\"b-d\\\" b--c:b\\\"b-a-c'\\\"#:'-':dc cb-d\\\"':'d-bb\\\"#\", \"k125\": \": '#ab\\\"-:::-'-'bbd'bad-'d#:a': -b'acd c##'b '#\\\"d #\\\"d#:#c b  cca'- dda \", \"k126\": \"\\\":--: \\\"-a'\\\"####b'#acbc' b:-aba- \\\"b:-abc-# d:-:'bb''''db b:d' \\\"ac\\\": \\\"a\\\"dbd\\\": :c\\\"\\\"\\\":c-cc\", \"k127\": \"#cc\\\"':aad'dc-:'::bcbc'c:c'--a':bb#c' #:b#'#b   a -' --': \\\"\\\" aab\\\" #ccadcd\\\"c-:d\\\"# a:'-\\\"#\\\" \\\" \\\"\\\"a' -a   '-b\\\"a:\\\"\\\"\\\"'b\\\"\", \"k128\": \"ccdab\\\"'\\\"ab':-\\\"-\\\"cd'\\\"\\\"'\\\"c\\\"d\\\"c' #b#':bc#bcdb : d 'cb#' c #\\\"#:#c::\", \"k129\": \":a:\\\"''a#:\\\"-d\\\"bbcbbdda d #d# \\\"\\\"-':bda #bdabdb-cbdb'a:\\\"#d- a\\\"cb da \", \"k130\": \"dd\\\"cd'\\\" d:adaaa\\\"\\\"c\\\"'c'b#'\\\"#\\\"dcc:c #:a abd# ab#\\\"d-cda'  d'ad::\\\":cadc: a:#\", \"k131\": \"'d\\\"cc\\\"abdb #-a#addcb-\\\" -#:' d- a\\\"#\\\" \\\"\\\"-a-cbaa :b#'\\\"aa\\\"c'da'b\\\"\\\"b\\\"b\", \"k132\": \"'dbdccc''#b'da-cb- :dd-- a'a'dbc'd\\\"d'''b\\\"cdb'ad'b\\\"'d#ccb-b \\\"d: -\\\"db:c''#a a''#d #:#:b:a::#bcadd:b##-b:#dadb\", \"k133\": \"d cd#\\\":c:#a#\\\"\\\"cba#'- d'a\\\"  '#:dddd#cd'\\\"#b  bc\\\"'\\\"c':'# \\\"ccb :\\\"b:\", \"k134\": \":d-ca###\\\"c#d:a'd-: \\\"\\\"cbdc##'#da a#'-'ab#\\\"''cbc  \\\"b'b\\\"aa c-ad d\\\"#bbbd\\\"-c#dc-\", \"k135\": \"a\\\"d'd:c'\\\"c\\\"ca#daac'#bdc#:c'a:#:#cad\\\"bc'cdcc'cddb-'- c'#a- #a\", \"k136\": \"a- #aa #':bb :c \\\"'ad#::' babdb:#b\\\"c#:d#ba'c:\\\"'c::'a#c#a#a'badcb-::d:-ad:d\", \"k137\": \"a-bacb''#d#' ' ad -c::':-b\\\"c# c#ba'\\\"\\\": #bbd-bcb#'' c #'-c\\\"bddd-d:ddc'c cc d-c:b\", \"k138\": \"dc\\\"\\\"cb'aba'c':adcbac--cb:\\\" '-dab--:ca:: acda-ca:#: -dbca'\\\"'b#b#\\\" \\\"b #d#dd#ad-:##a:c##\", \"k139\": \"a# #bb#-:'  aa\\\" #b--:\\\"  :d \\\" bb#'cd a':a-#b- c-#-c' -ca#\\\" #:b cca\\\"a:b#-'\\\"\", \"k140\": \"d#d-c##:'\\\"' aa-''c'-' '#bb :#:b'\\\"\\\"aa b:\\\"ba\\\"# ab-bc 'd cb:-d :-d' d\\\"'c-d-\\\"c::ac # d:# db\\\"a:'\\\"\\\"-bd\\\"#:d#:- ::b'c -ad\\\"\", \"k141\": \"d-:aac d-##\\\":a 'c-aaaa-:db\\\":\\\"c#-d- c:-'  ac 'bb d#daa\\\":--'-\\\"'c aaa\\\"a# c aba-\", \"k142\": \"c #c\\\"-\\\"#- \\\"dbda'\\\"a##'b' cbdcab:dad\\\"#\\\"ddcb\\\"a dcc :c#:-c#\\\"''\\\"aa#c-dc#--b-  aabb- : aaa abab-:c\\\"b#\", \"k143\": \"cccbaabd'b bcd::#da:dda::-\\\"'d-a#a#\\\"b:'a\\\"-cb-d #a\\\"cdaa:'b' '-:\\\"d- d\", \"k144\": \"cc' bb'\\\"b::b##b#a:cdd#\\\"\\\" #c' \\\"--a:-:\\\" '\\\": ''d-c :'c\\\"cdd-  c:-\\\": c:cdb bc#  dd#dcbbdc#'aa##c\\\"d'a d-#ac#--#c-c b'#\", \"k145\": \"db#c# d#''a-#\\\" :a#'bad\\\"c c\\\":b-'\\\"c'\\\"a:\\\":#'c #\\\"b-:add##aab##:-dbcd#\\\"c#'c  bc'\\\"c :#\", \"k146\": \"d\\\" ':cd#d# 'ad:cd:''#-b: d#ab-: \\\":-aacbdd-b- c ': c#\\\" --b\\\"dc'c\\\"b'b\\\"bd#c ''\\\"a'' 'c' \\\"-a :'\", \"k147\": \"-'d':##b :aa-a:b\\\"'' ac# :b::'\\\"\\\"cd#:#d\\\"add:'#:\\\"d\\\":c'b:c:d -ba#\\\"#\\\"-a#dbaac'-a\\\"\\\"-#- -bca' b a#ba: d\\\"dd #a:a\", \"k148\": \"--a'-\\\"ab#-#'ba#-- '#\\\"bb'c a#aabbcb 'ad-c' a: bd\\\"''daaaaa-b#dd- '-a::-''  b: #'#'d-:dda-\", \"k149\": \"-:-a -d-#c###-c'da:dd# -ad - d\\\"':\\\"b\\\"\\\"'#ccd-a#'cd-a#'\\\"b\\\":bc#-\\\"d\\\":'\\\"-ccccb d:--:#\\\" ca':b:'b :-a:d\\\"-abac\", \"k150\": \"-'--cdd#b'-- da:c #baaa\\\":''b-#bbd:-cb\\\"# ' :cc ad:a\\\"aad\\\"'ab :acd--'b'::d#b:'# 'c a'ca cb-: 'b#ab'::c'b: :ca '\\\" ' d##\", \"k151\": \" ad-d: d'b:''b \\\"ac\\\"'dbdc:#dccb#d# ad a'\\\":\\\" 'a\\\"d :#a#cd-   \\\"c c-bb-'d c -c-d\", \"k152\": \"ab\\\"#a\\\"::d'ba#' dc -:a :--a:\\\"'\\\"bb:c:#-adb''\\\"a\\\"\\\" acbc-  bdd\\\"aabcda--'\\\"c'b:\", \"k153\": \"b adb''-\\\"dbbb# \\\"-cc -'# a##--\\\"a#a::#c:#-:#\\\"a:\\\" :c#a:b\\\" b:#c\\\"ac ##'aaa-d-d\\\"a-bdb\\\"a#cadbd: ba-\\\"db'-\\\" 'b\\\" d#-ddcb\\\"d'--\", \"k154\": \"#c\\\":'\\\"d-''dac:cc\\\"\\\"#-#a: c:\\\":'ddcdaa \\\"b-:'a\\\"#':b\\\"c #:: c--d\\\"b'd #ba#\\\"-b'#- \", \"k155\": \"d--b#''d:d:#\\\"\\\"-#:a'#'d \\\"d #-#-cb::-c:c#aaad-'d\\\"d\\\"-#\\\"\\\"##':a-:'ab\\\"cb#:\\\"#\\\"- c#'#'--:\\\"b ::\", \"k156\": \"bd\\\" bd:\\\"# \\\"d\\\"c\\\"c# a--b:-a#aad\\\"ad#b-aac '\\\"-d\\\"\\\" -c#-b  \\\"\\\"babb \\\"''-#aa-: c:d adb-b:c'-\", \"k157\": \"aac#-a'a-ccca - :a'd#-d'bc#-c#d#'acb  :# ad#\\\":b:\\\"#:#bb#:\\\"c#c'd:c#ada: c bcd\\\" \\\"''c ::\", \"k158\": \"##-cd'\\\"cc' d-'-:\\\"c#-\\\"c b\\\"b\\\"d#a- da#b c:cbb\\\":\\\"dcbdbcd #d:#' d a::#a'c#:b d\", \"k159\": \"d-ca#a- #cd #a\\\"d -c-'\\\"d#-:abda--acba:c:b##-cd\\\"b:#':\\\"'\\\"ac#\\\" 'ca\\\"d \\\" \", \"k160\": \"c\\\"dca ::#bcd  ''cca\\\"' :d  --c:b\\\"#  -'#cbda:'caaddcbd'b :''-:d \\\"baa''b:-db'#'c\\\":a:bd-dcb aa# d: \\\" bd-:# ::c: \\\"\", \"k161\": \":dcaab-#ac'#' d--b c  '#ba''cc:aa-\\\"# dba\\\"#:b'a  #da'-:-c'b\\\":\\\"'#\\\" #--ba:-d--#:' d:\\\"acc'b -:\\\"-#:\\\"c-'#dbc c\\\"bcdbc\\\"d'c\\\"'c\\\"\", \"k162\": \"b\\\"--b#b' \\\"\\\"\\\"b\\\"b'#\\\" c-'b :-a#ca:aa-c'db #b-c-b: ::adbc:\\\"\\\":'a-:b:\\\":-bacd:c'a-'ba'bbd  \\\"d# -d\\\"d'aa:\", \"k163\": \"'\\\"'aab --#' '#c-\\\"b::\\\"cd --ac :':-'#::a:-':cac'-a  d#db\\\"d:--\\\"- a\\\"bc#-b\", \"k164\": \"dc bd::\\\"c:\\\"#:a::'\\\":cc:  ca'#'#-d -b ddd-\\\":bc-b- d-:':#b': dd\\\"a dcaca#'c-d\\\"bcca -abb\", \"k165\": \"-: acd\\\"a:ac::a'#-: a#ab-:'-#d'aa:-:a#-: ba c \\\"b::#:\\\"-\\\" --:c-d'ad\\\"'\\\"d:\\\"\\\"d da\\\"'b: c#ba- ba\\\"\\\"c\\\" d-:   \\\"a:c''c:#'c:\", \"k166\": \"abab#:ac-###cadad#cc:c:#dd'c- 'd ddb:a'c :--'c-ac:a' # dab a d \\\":b '#b#:#:a-ccaa \\\"-c-#baa:bbb' \\\"#a c\\\" \\\"\\\"b\\\":'b:\", \"k167\": \"cbd addbac\\\"a#\\\":da:a'\\\"d\\\":#d##:\\\"## ### ac-\\\"d-#ccbb-aa#\\\":'\\\":'-a''\\\":-\\\"#c#:b#\\\"\", \"k168\": \"-:b\\\"c-dd':\\\"-'-c b\\\":\\\"c\\\" :c  ' a:#:#b# d#b::\\\"\\\"d'bd#d'b'' \\\" a :'\\\"c-:\\\":#da\\\"ca-da-\", \"k169\": \"d\\\"d:dcd'b\\\"'bc #d-:a'#:ad##-d:c#- -c-:bc:bb'##\\\"#'ab--''##' b'#' \\\"acc#\\\"ad\", \"k170\": \":#'bbcb-ab'bc-'ac:'a\\\"#- #a ::c\\\"a \\\"d\\\"db:#dd\\\"#\\\"#addc##\\\"ddc ac\\\":''- ::c'\\\"a:a\\\"b#-:adc'dcc--'#'cca #\", \"k171\": \"ba b-' a\\\" 'cdc\\\"  c\\\"b'bcba#cd'# a a 'dc-:\\\" dd:\\\"c c#a:# dc\\\"bc'  #:#ba:bc\\\"\\\"bd':a'bc'dd--\\\"bc 'dc-da--ba:c da ::''c:: b\", \"k172\": \"db\\\"'b\\\"b -#'aaa\\\"-b# #-:b: : b:a'd dbbcb 'd\\\"\\\"b:'c -\\\"a\\\"d:cd#\\\"c c\\\"\\\"cbaba'-ccb  da##-\\\"bd-bb-ccc-\\\"acb-:bac- d:b'- a:\", \"k173\": \"##abc \\\"  : ccc:ba'a'\\\":b-bca:#b:- '' dda'- ##\\\"d-\\\"bbdccc-'\\\"c'-a##:##bc:-#dad'-ab'##-d' :\\\"cb:#'-ad:bd '#\\\"cbca# #d: : c:-#d'\", \"k174\": \"\\\"-c #\\\"aa bc'-d:b\\\"\\\"# d#b\\\"-:'dd:d#\\\"a'':aab\\\"#'d\\\" -'a:' ad c--\\\"a# -dcd\\\"a#\\\"#b#':d: -'\", \"k175\": \"a\\\": c\\\"a d\\\" da-d#: dd'c-:'#bd:#:#'dbc-'\\\"# :a d\\\"'\\\"#bd#:#\\\"dbd'aa\\\"-d:-:dcb\\\"b-#bd  b##:##'::  \\\"\\\"#d c:b#b\\\"a-c-##c-d  c\", \"k176\": \"c\\\"bda#d #-db--\\\"d-ccdb:-b:a\\\"bb:ca' 'd\\\"a'-\\\"-aa\\\"'b'cd::\\\"-cc\\\"cd-\\\"ac a\\\"d#:bdb-b##\\\"-#ca:\\\":db'- #'-'c:-cb# dc\", \"k177\": \"\\\"a'ccdc\\\"da-ab:c#a\\\"d\\\": -::dba :#a'b:b :''b::' b\\\"-d\\\"#c:dacd\\\"## #  \", \"k178\": \"bc-\\\"#aab'ac-\\\"b::-\\\"''cacc:#bb- c''--'b-a' #c''- b'-#bcca#-cac\", \"k179\": \"caa'a#cca\\\"-#da 'a'bb  \\\" -\\\":b\\\"#aba\\\"b\\\"\\\"---\\\"ba\\\"-d'#a\\\"ca \\\"'cbc#b-b\\\"\\\":b\", \"k180\": \"cbb:dddd '--:cabbab-c\\\"#'#--cbaaa #a -d'd dd:a:#b ' '-:dca#\\\"a:c\\\"::\", \"k181\": \"c:b\\\" ba:#::b\\\"b' c\\\"a\\\"c#\\\"bccdad#b -'- d#c:dabcd-- b-b#dbbb\\\"ab:\", \"k182\": \" \\\"b'\\\"d' bdd## 'b'::ca#cbc::d-acbb -dd a 'ba#db--cabdad ::\\\"  :d::\", \"k183\": \"\\\"bc d#accc#:c'daab#:cda'''bb'\\\"'b#b'' c#'abcbd:''c:\\\"ab\\\"c'c--#ba#\\\"ac\\\" \\\":\", \"n1\": \"a\u{85}b\", \"n2\": \"a \u{85} b\", \"n3\": \"a\u{85}\u{85}b\", \"n4\": \"a\u{85} \u{85}\\tb\", \"n5\": \"\u{85}x\", \"n6\": \"x\u{85}\", \"n7\": \"a\u{85}\u{85}\u{85}b c\", \"x-\": \"v\", \"x.\": \"v\", \"x_\": \"v\", \"z9\": \"v\"}, \"kind\": \"ConfigMap\", \"metadata\": {\"creationTimestamp\": null, \"name\": \"x\"}}"

    static let configMapYAML =
        "apiVersion: v1\n" +
        "data:\n" +
        "  -x: v\n" +
        "  .x: v\n" +
        "  _x: v\n" +
        "  \"0\": v\n" +
        "  \"00\": v\n" +
        "  \"1\": v\n" +
        "  \"9\": v\n" +
        "  \"10\": v\n" +
        "  A_b: v\n" +
        "  B: v\n" +
        "  Z: v\n" +
        "  a: v\n" +
        "  a-b: v\n" +
        "  a.b: v\n" +
        "  a0: v\n" +
        "  a00: v\n" +
        "  a1: v\n" +
        "  a01: v\n" +
        "  a9b: v\n" +
        "  a9c: v\n" +
        "  a10b: v\n" +
        "  aa: v\n" +
        "  ab1: v\n" +
        "  ab01: v\n" +
        "  ab10: v\n" +
        "  app2: v\n" +
        "  app02: v\n" +
        "  app002: v\n" +
        "  app10: v\n" +
        "  b: v\n" +
        "  k000: \"\"\n" +
        "  k001: ' '\n" +
        "  k002: a\n" +
        "  k003: \"yes\"\n" +
        "  k004: \"No\"\n" +
        "  k005: \"on\"\n" +
        "  k006: \"OFF\"\n" +
        "  k007: \"y\"\n" +
        "  k008: \"n\"\n" +
        "  k009: \"true\"\n" +
        "  k010: \"null\"\n" +
        "  k011: \"~\"\n" +
        "  k012: \"Null\"\n" +
        "  k013: \"0\"\n" +
        "  k014: \"-1\"\n" +
        "  k015: \"+1\"\n" +
        "  k016: \"1.5\"\n" +
        "  k017: \".5\"\n" +
        "  k018: \"1e3\"\n" +
        "  k019: \"1_000\"\n" +
        "  k020: \"0x1F\"\n" +
        "  k021: \"0o17\"\n" +
        "  k022: \"0b101\"\n" +
        "  k023: \"08\"\n" +
        "  k024: \"0755\"\n" +
        "  k025: \"1:20\"\n" +
        "  k026: \"12:30:45\"\n" +
        "  k027: '-'\n" +
        "  k028: --\n" +
        "  k029: '---'\n" +
        "  k030: '...'\n" +
        "  k031: '- a'\n" +
        "  k032: -a\n" +
        "  k033: a -\n" +
        "  k034: '? x'\n" +
        "  k035: ?x\n" +
        "  k036: :x\n" +
        "  k037: 'x:'\n" +
        "  k038: 'x: y'\n" +
        "  k039: x:y\n" +
        "  k040: '#c'\n" +
        "  k041: 'a #c'\n" +
        "  k042: a#c\n" +
        "  k043: '[a]'\n" +
        "  k044: a[b]\n" +
        "  k045: '{a}'\n" +
        "  k046: a,b\n" +
        "  k047: '&a'\n" +
        "  k048: '*a'\n" +
        "  k049: '!a'\n" +
        "  k050: '|a'\n" +
        "  k051: '>a'\n" +
        "  k052: '''a'\n" +
        "  k053: '\"a'\n" +
        "  k054: '%a'\n" +
        "  k055: '@a'\n" +
        "  k056: '`a'\n" +
        "  k057: a'b\n" +
        "  k058: a\"b\n" +
        "  k059: a\\b\n" +
        "  k060: \"tab\\there\"\n" +
        "  k061: \"cr\\rhere\"\n" +
        "  k062: |-\n" +
        "    nl\n" +
        "    here\n" +
        "  k063: |\n" +
        "    end\n" +
        "  k064: |+\n" +
        "    end\n" +
        "\n" +
        "  k065: |2-\n" +
        "\n" +
        "    lead\n" +
        "  k066: ' lead'\n" +
        "  k067: 'trail '\n" +
        "  k068: a  b\n" +
        "  k069: \"a \\nb\"\n" +
        "  k070: |-\n" +
        "    a\n" +
        "     b\n" +
        "  k071: \u{E9}\n" +
        "  k072: \u{65E5}\u{672C}\n" +
        "  k073: \"\\U0001F600\"\n" +
        "  k074: \u{A0}x\n" +
        "  k075: ' '\n" +
        "  k076: \"\\uFEFF\"\n" +
        "  k077: '\u{2028}" +
        "'\n" +
        "  k078: \"2024-01-15\"\n" +
        "  k079: \"2024-1-5\"\n" +
        "  k080: 2024-13-01\n" +
        "  k081: 2024-02-30\n" +
        "  k082: \"2024-02-29\"\n" +
        "  k083: 2023-02-29\n" +
        "  k084: \"2026-11-26T01:30:24Z\"\n" +
        "  k085: \"2026-11-26T01:30:24.123Z\"\n" +
        "  k086: \"2026-11-26 01:30:24\"\n" +
        "  k087: \"2026-11-26t1:2:3+01:00\"\n" +
        "  k088: 2026-11-26T01:30:24\n" +
        "  k089: 2026-11-26T25:00:00Z\n" +
        "  k090: \".inf\"\n" +
        "  k091: \"-.Inf\"\n" +
        "  k092: \".NaN\"\n" +
        "  k093: .nan.\n" +
        "  k094: \"+.inf\"\n" +
        "  k095: inf\n" +
        "  k096: NaN\n" +
        "  k097: \"1.\"\n" +
        "  k098: \"-.5\"\n" +
        "  k099: \"+.5e-3\"\n" +
        "  k100: 1e\n" +
        "  k101: 0.0.1\n" +
        "  k102: 6.3.5\n" +
        "  k103: v1\n" +
        "  k104: <<\n" +
        "  k105: =\n" +
        "  k106: a=b\n" +
        "  k107: oci://ghcr.io/stefanprodan/manifests/podinfo\n" +
        "  k108: sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871\n" +
        "  k109: stored artifact for digest '6.3.5@sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871'\n" +
        "  k110: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" +
        "  k111: 'a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a b a\n" +
        "    b a b a b a b a b a b a b a b a b a b a b a b '\n" +
        "  k112: word word word word word word word word word word word word word word word\n" +
        "    word word word word word word word word word word\n" +
        "  k113: 'a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a: b a:\n" +
        "    b a: b a: b a: b a: b a: b '\n" +
        "  k114: '''quoted long'' ''quoted long'' ''quoted long'' ''quoted long'' ''quoted\n" +
        "    long'' ''quoted long'' ''quoted long'' ''quoted long'' ''quoted long'' ''quoted\n" +
        "    long'' '\n" +
        "  k115: \"tab\\tw w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w w\n" +
        "    w w w w w w w w w w w w w w w w \"\n" +
        "  k116: |\n" +
        "    line one\n" +
        "    line two with a very long sentence that goes past the eighty column limit for sure yes\n" +
        "  k117: \"trailing space line \\nnext\"\n" +
        "  k118: '  two leading'\n" +
        "  k119: |-\n" +
        "    multi\n" +
        "\n" +
        "\n" +
        "    blank\n" +
        "  k120: \"x\\n \"\n" +
        "  k121: \" \\n\"\n" +
        "  k122: |2+\n" +
        "\n" +
        "  k123: |2+\n" +
        "\n" +
        "\n" +
        "  k124: ' #ab\"b:-a\"cab##bcb\"#a-bc-a--#aca\" d# \"b-d\" b--c:b\"b-a-c''\"#:''-'':dc cb-d\"'':''d-bb\"#'\n" +
        "  k125: ': ''#ab\"-:::-''-''bbd''bad-''d#:a'': -b''acd c##''b ''#\"d #\"d#:#c b  cca''-\n" +
        "    dda '\n" +
        "  k126: '\":--: \"-a''\"####b''#acbc'' b:-aba- \"b:-abc-# d:-:''bb''''''''db b:d'' \"ac\":\n" +
        "    \"a\"dbd\": :c\"\"\":c-cc'\n" +
        "  k127: '#cc\"'':aad''dc-:''::bcbc''c:c''--a'':bb#c'' #:b#''#b   a -'' --'': \"\" aab\"\n" +
        "    #ccadcd\"c-:d\"# a:''-\"#\" \" \"\"a'' -a   ''-b\"a:\"\"\"''b\"'\n" +
        "  k128: 'ccdab\"''\"ab'':-\"-\"cd''\"\"''\"c\"d\"c'' #b#'':bc#bcdb : d ''cb#'' c #\"#:#c::'\n" +
        "  k129: ':a:\"''''a#:\"-d\"bbcbbdda d #d# \"\"-'':bda #bdabdb-cbdb''a:\"#d- a\"cb da '\n" +
        "  k130: 'dd\"cd''\" d:adaaa\"\"c\"''c''b#''\"#\"dcc:c #:a abd# ab#\"d-cda''  d''ad::\":cadc:\n" +
        "    a:#'\n" +
        "  k131: '''d\"cc\"abdb #-a#addcb-\" -#:'' d- a\"#\" \"\"-a-cbaa :b#''\"aa\"c''da''b\"\"b\"b'\n" +
        "  k132: '''dbdccc''''#b''da-cb- :dd-- a''a''dbc''d\"d''''''b\"cdb''ad''b\"''d#ccb-b \"d:\n" +
        "    -\"db:c''''#a a''''#d #:#:b:a::#bcadd:b##-b:#dadb'\n" +
        "  k133: 'd cd#\":c:#a#\"\"cba#''- d''a\"  ''#:dddd#cd''\"#b  bc\"''\"c'':''# \"ccb :\"b:'\n" +
        "  k134: ':d-ca###\"c#d:a''d-: \"\"cbdc##''#da a#''-''ab#\"''''cbc  \"b''b\"aa c-ad d\"#bbbd\"-c#dc-'\n" +
        "  k135: 'a\"d''d:c''\"c\"ca#daac''#bdc#:c''a:#:#cad\"bc''cdcc''cddb-''- c''#a- #a'\n" +
        "  k136: 'a- #aa #'':bb :c \"''ad#::'' babdb:#b\"c#:d#ba''c:\"''c::''a#c#a#a''badcb-::d:-ad:d'\n" +
        "  k137: 'a-bacb''''#d#'' '' ad -c::'':-b\"c# c#ba''\"\": #bbd-bcb#'''' c #''-c\"bddd-d:ddc''c\n" +
        "    cc d-c:b'\n" +
        "  k138: 'dc\"\"cb''aba''c'':adcbac--cb:\" ''-dab--:ca:: acda-ca:#: -dbca''\"''b#b#\" \"b\n" +
        "    #d#dd#ad-:##a:c##'\n" +
        "  k139: 'a# #bb#-:''  aa\" #b--:\"  :d \" bb#''cd a'':a-#b- c-#-c'' -ca#\" #:b cca\"a:b#-''\"'\n" +
        "  k140: 'd#d-c##:''\"'' aa-''''c''-'' ''#bb :#:b''\"\"aa b:\"ba\"# ab-bc ''d cb:-d :-d''\n" +
        "    d\"''c-d-\"c::ac # d:# db\"a:''\"\"-bd\"#:d#:- ::b''c -ad\"'\n" +
        "  k141: d-:aac d-##\":a 'c-aaaa-:db\":\"c#-d- c:-'  ac 'bb d#daa\":--'-\"'c aaa\"a# c aba-\n" +
        "  k142: 'c #c\"-\"#- \"dbda''\"a##''b'' cbdcab:dad\"#\"ddcb\"a dcc :c#:-c#\"''''\"aa#c-dc#--b-  aabb-\n" +
        "    : aaa abab-:c\"b#'\n" +
        "  k143: 'cccbaabd''b bcd::#da:dda::-\"''d-a#a#\"b:''a\"-cb-d #a\"cdaa:''b'' ''-:\"d- d'\n" +
        "  k144: 'cc'' bb''\"b::b##b#a:cdd#\"\" #c'' \"--a:-:\" ''\": ''''d-c :''c\"cdd-  c:-\": c:cdb\n" +
        "    bc#  dd#dcbbdc#''aa##c\"d''a d-#ac#--#c-c b''#'\n" +
        "  k145: 'db#c# d#''''a-#\" :a#''bad\"c c\":b-''\"c''\"a:\":#''c #\"b-:add##aab##:-dbcd#\"c#''c  bc''\"c\n" +
        "    :#'\n" +
        "  k146: 'd\" '':cd#d# ''ad:cd:''''#-b: d#ab-: \":-aacbdd-b- c '': c#\" --b\"dc''c\"b''b\"bd#c\n" +
        "    ''''\"a'''' ''c'' \"-a :'''\n" +
        "  k147: '-''d'':##b :aa-a:b\"'''' ac# :b::''\"\"cd#:#d\"add:''#:\"d\":c''b:c:d -ba#\"#\"-a#dbaac''-a\"\"-#-\n" +
        "    -bca'' b a#ba: d\"dd #a:a'\n" +
        "  k148: '--a''-\"ab#-#''ba#-- ''#\"bb''c a#aabbcb ''ad-c'' a: bd\"''''daaaaa-b#dd- ''-a::-''''  b:\n" +
        "    #''#''d-:dda-'\n" +
        "  k149: -:-a -d-#c###-c'da:dd# -ad - d\"':\"b\"\"'#ccd-a#'cd-a#'\"b\":bc#-\"d\":'\"-ccccb d:--:#\"\n" +
        "    ca':b:'b :-a:d\"-abac\n" +
        "  k150: '-''--cdd#b''-- da:c #baaa\":''''b-#bbd:-cb\"# '' :cc ad:a\"aad\"''ab :acd--''b''::d#b:''#\n" +
        "    ''c a''ca cb-: ''b#ab''::c''b: :ca ''\" '' d##'\n" +
        "  k151: ' ad-d: d''b:''''b \"ac\"''dbdc:#dccb#d# ad a''\":\" ''a\"d :#a#cd-   \"c c-bb-''d\n" +
        "    c -c-d'\n" +
        "  k152: 'ab\"#a\"::d''ba#'' dc -:a :--a:\"''\"bb:c:#-adb''''\"a\"\" acbc-  bdd\"aabcda--''\"c''b:'\n" +
        "  k153: 'b adb''''-\"dbbb# \"-cc -''# a##--\"a#a::#c:#-:#\"a:\" :c#a:b\" b:#c\"ac ##''aaa-d-d\"a-bdb\"a#cadbd:\n" +
        "    ba-\"db''-\" ''b\" d#-ddcb\"d''--'\n" +
        "  k154: '#c\":''\"d-''''dac:cc\"\"#-#a: c:\":''ddcdaa \"b-:''a\"#'':b\"c #:: c--d\"b''d #ba#\"-b''#- '\n" +
        "  k155: 'd--b#''''d:d:#\"\"-#:a''#''d \"d #-#-cb::-c:c#aaad-''d\"d\"-#\"\"##'':a-:''ab\"cb#:\"#\"-\n" +
        "    c#''#''--:\"b ::'\n" +
        "  k156: 'bd\" bd:\"# \"d\"c\"c# a--b:-a#aad\"ad#b-aac ''\"-d\"\" -c#-b  \"\"babb \"''''-#aa-:\n" +
        "    c:d adb-b:c''-'\n" +
        "  k157: 'aac#-a''a-ccca - :a''d#-d''bc#-c#d#''acb  :# ad#\":b:\"#:#bb#:\"c#c''d:c#ada:\n" +
        "    c bcd\" \"''''c ::'\n" +
        "  k158: '##-cd''\"cc'' d-''-:\"c#-\"c b\"b\"d#a- da#b c:cbb\":\"dcbdbcd #d:#'' d a::#a''c#:b\n" +
        "    d'\n" +
        "  k159: 'd-ca#a- #cd #a\"d -c-''\"d#-:abda--acba:c:b##-cd\"b:#'':\"''\"ac#\" ''ca\"d \" '\n" +
        "  k160: 'c\"dca ::#bcd  ''''cca\"'' :d  --c:b\"#  -''#cbda:''caaddcbd''b :''''-:d \"baa''''b:-db''#''c\":a:bd-dcb\n" +
        "    aa# d: \" bd-:# ::c: \"'\n" +
        "  k161: ':dcaab-#ac''#'' d--b c  ''#ba''''cc:aa-\"# dba\"#:b''a  #da''-:-c''b\":\"''#\"\n" +
        "    #--ba:-d--#:'' d:\"acc''b -:\"-#:\"c-''#dbc c\"bcdbc\"d''c\"''c\"'\n" +
        "  k162: 'b\"--b#b'' \"\"\"b\"b''#\" c-''b :-a#ca:aa-c''db #b-c-b: ::adbc:\"\":''a-:b:\":-bacd:c''a-''ba''bbd  \"d#\n" +
        "    -d\"d''aa:'\n" +
        "  k163: '''\"''aab --#'' ''#c-\"b::\"cd --ac :'':-''#::a:-'':cac''-a  d#db\"d:--\"- a\"bc#-b'\n" +
        "  k164: 'dc bd::\"c:\"#:a::''\":cc:  ca''#''#-d -b ddd-\":bc-b- d-:'':#b'': dd\"a dcaca#''c-d\"bcca\n" +
        "    -abb'\n" +
        "  k165: '-: acd\"a:ac::a''#-: a#ab-:''-#d''aa:-:a#-: ba c \"b::#:\"-\" --:c-d''ad\"''\"d:\"\"d\n" +
        "    da\"''b: c#ba- ba\"\"c\" d-:   \"a:c''''c:#''c:'\n" +
        "  k166: 'abab#:ac-###cadad#cc:c:#dd''c- ''d ddb:a''c :--''c-ac:a'' # dab a d \":b ''#b#:#:a-ccaa\n" +
        "    \"-c-#baa:bbb'' \"#a c\" \"\"b\":''b:'\n" +
        "  k167: 'cbd addbac\"a#\":da:a''\"d\":#d##:\"## ### ac-\"d-#ccbb-aa#\":''\":''-a''''\":-\"#c#:b#\"'\n" +
        "  k168: -:b\"c-dd':\"-'-c b\":\"c\" :c  ' a:#:#b# d#b::\"\"d'bd#d'b'' \" a :'\"c-:\":#da\"ca-da-\n" +
        "  k169: 'd\"d:dcd''b\"''bc #d-:a''#:ad##-d:c#- -c-:bc:bb''##\"#''ab--''''##'' b''#''\n" +
        "    \"acc#\"ad'\n" +
        "  k170: ':#''bbcb-ab''bc-''ac:''a\"#- #a ::c\"a \"d\"db:#dd\"#\"#addc##\"ddc ac\":''''- ::c''\"a:a\"b#-:adc''dcc--''#''cca\n" +
        "    #'\n" +
        "  k171: 'ba b-'' a\" ''cdc\"  c\"b''bcba#cd''# a a ''dc-:\" dd:\"c c#a:# dc\"bc''  #:#ba:bc\"\"bd'':a''bc''dd--\"bc\n" +
        "    ''dc-da--ba:c da ::''''c:: b'\n" +
        "  k172: 'db\"''b\"b -#''aaa\"-b# #-:b: : b:a''d dbbcb ''d\"\"b:''c -\"a\"d:cd#\"c c\"\"cbaba''-ccb  da##-\"bd-bb-ccc-\"acb-:bac-\n" +
        "    d:b''- a:'\n" +
        "  k173: '##abc \"  : ccc:ba''a''\":b-bca:#b:- '''' dda''- ##\"d-\"bbdccc-''\"c''-a##:##bc:-#dad''-ab''##-d''\n" +
        "    :\"cb:#''-ad:bd ''#\"cbca# #d: : c:-#d'''\n" +
        "  k174: '\"-c #\"aa bc''-d:b\"\"# d#b\"-:''dd:d#\"a'''':aab\"#''d\" -''a:'' ad c--\"a# -dcd\"a#\"#b#'':d:\n" +
        "    -'''\n" +
        "  k175: 'a\": c\"a d\" da-d#: dd''c-:''#bd:#:#''dbc-''\"# :a d\"''\"#bd#:#\"dbd''aa\"-d:-:dcb\"b-#bd  b##:##''::  \"\"#d\n" +
        "    c:b#b\"a-c-##c-d  c'\n" +
        "  k176: 'c\"bda#d #-db--\"d-ccdb:-b:a\"bb:ca'' ''d\"a''-\"-aa\"''b''cd::\"-cc\"cd-\"ac a\"d#:bdb-b##\"-#ca:\":db''-\n" +
        "    #''-''c:-cb# dc'\n" +
        "  k177: '\"a''ccdc\"da-ab:c#a\"d\": -::dba :#a''b:b :''''b::'' b\"-d\"#c:dacd\"## #  '\n" +
        "  k178: 'bc-\"#aab''ac-\"b::-\"''''cacc:#bb- c''''--''b-a'' #c''''- b''-#bcca#-cac'\n" +
        "  k179: caa'a#cca\"-#da 'a'bb  \" -\":b\"#aba\"b\"\"---\"ba\"-d'#a\"ca \"'cbc#b-b\"\":b\n" +
        "  k180: 'cbb:dddd ''--:cabbab-c\"#''#--cbaaa #a -d''d dd:a:#b '' ''-:dca#\"a:c\"::'\n" +
        "  k181: 'c:b\" ba:#::b\"b'' c\"a\"c#\"bccdad#b -''- d#c:dabcd-- b-b#dbbb\"ab:'\n" +
        "  k182: ' \"b''\"d'' bdd## ''b''::ca#cbc::d-acbb -dd a ''ba#db--cabdad ::\"  :d::'\n" +
        "  k183: '\"bc d#accc#:c''daab#:cda''''''bb''\"''b#b'''' c#''abcbd:''''c:\"ab\"c''c--#ba#\"ac\"\n" +
        "    \":'\n" +
        "  n1: a b\n" +
        "  n2: a b\n" +
        "  n3: |-\n" +
        "    a\n" +
        "    b\n" +
        "  n4: \"a\\n\\tb\"\n" +
        "  n5: ' x'\n" +
        "  n6: 'x '\n" +
        "  n7: |-\n" +
        "    a\n" +
        "\n" +
        "    b c\n" +
        "  x-: v\n" +
        "  x.: v\n" +
        "  x_: v\n" +
        "  z9: v\n" +
        "kind: ConfigMap\n" +
        "metadata:\n" +
        "  creationTimestamp: null\n" +
        "  name: x\n"

    static let customResourceInput =
        "{\"apiVersion\": \"kustomize.toolkit.fluxcd.io/v1\", \"kind\": \"Kustomization\", \"metadata\": {\"name\": \"a\", \"namespace\": \"b\", \"labels\": {\"x\": \"1\", \"y\": \"2\"}}, \"spec\": {\"list\": [[1, 2], [], {}, [{\"a\": 1, \"b\": [true, false, null]}], \"short\", {\"deep\": {\"deeper\": [\"a very long string value that goes on and on past the eighty column boundary for sure, yes indeed it does\"]}}], \"nums\": {\"i\": 12345678901, \"neg\": -5, \"f\": 1.5, \"f2\": 1e+21, \"f3\": 1e-07, \"f4\": 100.0, \"f5\": 123456789.0, \"f6\": 0.0001, \"f7\": 1e-05, \"f8\": 1000000.0, \"f9\": 123456.0, \"f10\": 3.14159}, \"emptyList\": [], \"emptyMap\": {}, \"nil\": null, \"multi\": \"line1\\nline2 is long enough to matter? no, literal blocks never fold lines even if they are very very long like this\\n\", \"seqmulti\": [\"a\\nb\", \"c\\n\"], \"longKey_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": \"v\", \"quotedlong\": \"'start with quote and continue for a long long long long long long long long long long long time and more\", \"dq\": \"tab\\tand then a long long long long long long long long long long long long long long long long long  double  spaces end\"}}"

    static let customResourceYAML =
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\n" +
        "kind: Kustomization\n" +
        "metadata:\n" +
        "  labels:\n" +
        "    x: \"1\"\n" +
        "    \"y\": \"2\"\n" +
        "  name: a\n" +
        "  namespace: b\n" +
        "spec:\n" +
        "  dq: \"tab\\tand then a long long long long long long long long long long long long\n" +
        "    long long long long long  double  spaces end\"\n" +
        "  emptyList: []\n" +
        "  emptyMap: {}\n" +
        "  list:\n" +
        "  - - 1\n" +
        "    - 2\n" +
        "  - []\n" +
        "  - {}\n" +
        "  - - a: 1\n" +
        "      b:\n" +
        "      - true\n" +
        "      - false\n" +
        "      - null\n" +
        "  - short\n" +
        "  - deep:\n" +
        "      deeper:\n" +
        "      - a very long string value that goes on and on past the eighty column boundary\n" +
        "        for sure, yes indeed it does\n" +
        "  ? longKey_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" +
        "  : v\n" +
        "  multi: |\n" +
        "    line1\n" +
        "    line2 is long enough to matter? no, literal blocks never fold lines even if they are very very long like this\n" +
        "  nil: null\n" +
        "  nums:\n" +
        "    f: 1.5\n" +
        "    f2: 1e+21\n" +
        "    f3: 1e-07\n" +
        "    f4: 100\n" +
        "    f5: 123456789\n" +
        "    f6: 0.0001\n" +
        "    f7: 1e-05\n" +
        "    f8: 1000000\n" +
        "    f9: 123456\n" +
        "    f10: 3.14159\n" +
        "    i: 12345678901\n" +
        "    neg: -5\n" +
        "  quotedlong: '''start with quote and continue for a long long long long long long\n" +
        "    long long long long long time and more'\n" +
        "  seqmulti:\n" +
        "  - |-\n" +
        "    a\n" +
        "    b\n" +
        "  - |\n" +
        "    c\n"

    static let customResourceJSON =
        "{\n" +
        "    \"apiVersion\": \"kustomize.toolkit.fluxcd.io/v1\",\n" +
        "    \"kind\": \"Kustomization\",\n" +
        "    \"metadata\": {\n" +
        "        \"labels\": {\n" +
        "            \"x\": \"1\",\n" +
        "            \"y\": \"2\"\n" +
        "        },\n" +
        "        \"name\": \"a\",\n" +
        "        \"namespace\": \"b\"\n" +
        "    },\n" +
        "    \"spec\": {\n" +
        "        \"dq\": \"tab\\tand then a long long long long long long long long long long long long long long long long long  double  spaces end\",\n" +
        "        \"emptyList\": [],\n" +
        "        \"emptyMap\": {},\n" +
        "        \"list\": [\n" +
        "            [\n" +
        "                1,\n" +
        "                2\n" +
        "            ],\n" +
        "            [],\n" +
        "            {},\n" +
        "            [\n" +
        "                {\n" +
        "                    \"a\": 1,\n" +
        "                    \"b\": [\n" +
        "                        true,\n" +
        "                        false,\n" +
        "                        null\n" +
        "                    ]\n" +
        "                }\n" +
        "            ],\n" +
        "            \"short\",\n" +
        "            {\n" +
        "                \"deep\": {\n" +
        "                    \"deeper\": [\n" +
        "                        \"a very long string value that goes on and on past the eighty column boundary for sure, yes indeed it does\"\n" +
        "                    ]\n" +
        "                }\n" +
        "            }\n" +
        "        ],\n" +
        "        \"longKey_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": \"v\",\n" +
        "        \"multi\": \"line1\\nline2 is long enough to matter? no, literal blocks never fold lines even if they are very very long like this\\n\",\n" +
        "        \"nil\": null,\n" +
        "        \"nums\": {\n" +
        "            \"f\": 1.5,\n" +
        "            \"f10\": 3.14159,\n" +
        "            \"f2\": 1e+21,\n" +
        "            \"f3\": 1e-7,\n" +
        "            \"f4\": 100,\n" +
        "            \"f5\": 123456789,\n" +
        "            \"f6\": 0.0001,\n" +
        "            \"f7\": 0.00001,\n" +
        "            \"f8\": 1000000,\n" +
        "            \"f9\": 123456,\n" +
        "            \"i\": 12345678901,\n" +
        "            \"neg\": -5\n" +
        "        },\n" +
        "        \"quotedlong\": \"'start with quote and continue for a long long long long long long long long long long long time and more\",\n" +
        "        \"seqmulti\": [\n" +
        "            \"a\\nb\",\n" +
        "            \"c\\n\"\n" +
        "        ]\n" +
        "    }\n" +
        "}\n"
}
