// One oneDNN CPU engine and stream for the process, and a small keyed cache for primitives
// (creating one costs far more than running it on this project's tensor sizes).
#pragma once

#include <dnnl.hpp>
#include <omp.h>

#include <memory>
#include <string>
#include <unordered_map>

namespace lisht {

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();

template <class T>
class PrimitiveCache {
 public:
  // The cached entry for key, built with make() on first use; nullptr (also cached) when
  // make() returns nullptr, i.e. oneDNN has no implementation for that configuration.
  // oneDNN fixes a primitive's thread count when it creates it, so the current count is
  // part of the key.
  template <class Make>
  T* get(const std::string& shape_key, Make&& make) {
    const std::string key = shape_key + "@" + std::to_string(omp_get_max_threads());
    auto it = entries_.find(key);
    if (it != entries_.end()) return it->second.get();
    std::unique_ptr<T> entry = make();
    T* raw = entry.get();
    entries_.emplace(key, std::move(entry));
    return raw;
  }
  size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<std::string, std::unique_ptr<T>> entries_;
};

}  // namespace lisht
