{
  "targets": [
    {
      "target_name": "lisht_native",
      "sources": [
        "native/addon.cc",
        "native/dnnl_context.cc",
        "native/conv.cc",
        "native/conv_small.cc",
        "native/batch.cc",
        "native/pool.cc",
        "native/matmul.cc",
        "native/eltwise.cc",
        "native/reduce.cc",
        "native/peak.cc",
        "native/optim.cc",
        "native/batch_norm.cc",
        "native/bf16.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fno-math-errno", "-Wno-psabi"],
      "libraries": ["-ldnnl", "-fopenmp"],
      # $ORIGIN as an old-style DT_RPATH: the prebuilt addon finds the libdnnl.so.2 copied
      # beside it, and (DT_RPATH, unlike DT_RUNPATH, also serves the dependencies of
      # libdnnl.so.2) libOpenCL and libgomp too; see scripts/prebuild-native.mjs.
      "ldflags": ["-Wl,-rpath,'$$ORIGIN'", "-Wl,--disable-new-dtags"]
    }
  ]
}
