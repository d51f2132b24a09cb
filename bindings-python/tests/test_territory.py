"""lookup, nearest and assign on the sample network and on the US counties,
from NumPy arrays, Arrow arrays and lists."""

import json

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import chapterhouse as ch


@pytest.fixture(scope="module")
def places(data_dir):
    return json.loads((data_dir / "places.json").read_text())


@pytest.fixture(scope="module")
def counties(data_dir):
    return ch.ChapterFinder.from_geojson((data_dir / "us-counties.geojson").read_text())


def test_lookup_and_nearest_on_the_network(network, places):
    boston = next(p for p in places if p["name"] == "Downtown Boston")
    found = network.lookup(boston["lon"], boston["lat"])
    assert found and found[0] == "ch-boston"
    sea = next(p for p in places if p["name"] == "Gulf of Maine")
    assert network.lookup(sea["lon"], sea["lat"]) == []
    near = network.nearest(sea["lon"], sea["lat"], k=3)
    assert len(near) == 3 and all(d > 0 for _, d in near)
    assert [d for _, d in near] == sorted(d for _, d in near)
    assert network.nearest(boston["lon"], boston["lat"])[0] == ("ch-boston", 0.0)
    with pytest.raises(ch.InvalidValueError, match="invalid point"):
        network.lookup(0.0, 91.0)
    with pytest.raises(ch.ParseError, match="filter"):
        network.lookup(0.0, 0.0, filter={"colour": "red"})
    assert network.lookup(boston["lon"], boston["lat"], filter="all")[0] == "ch-boston"


def test_assign_matches_lookup(network, places):
    lon = np.array([p["lon"] for p in places])
    lat = np.array([p["lat"] for p in places])
    a = network.assign(lon, lat)
    assert len(a) == len(places)
    want = [(network.lookup(x, y) or [None])[0] for x, y in zip(lon, lat)]
    assert list(a.to_numpy()) == want
    assert a.matched == sum(w is not None for w in want)
    codes = a.codes
    assert codes.dtype == np.int32
    assert [a.ids[c] if c >= 0 else None for c in codes] == want


def test_assign_inputs_agree(counties):
    rng = np.random.default_rng(7)
    lon = rng.uniform(-125, -66, 20_000)
    lat = rng.uniform(24, 50, 20_000)
    base = counties.assign(lon, lat).codes
    assert (base >= 0).sum() > 8_000  # the rest is sea, Canada, Mexico
    same = [
        (pa.array(lon), pa.array(lat)),
        (pa.chunked_array([lon[:5000], lon[5000:]]), pa.chunked_array([lat[:7000], lat[7000:]])),
        (pl.Series(lon), pl.Series(lat)),
        (pd.Series(lon), pd.Series(lat)),
        (list(lon), list(lat)),
        # Non-contiguous arrays are made contiguous.
        (np.stack([lon, lat], axis=1)[:, 0], np.stack([lon, lat], axis=1)[:, 1]),
    ]
    for i, (x, y) in enumerate(same):
        assert (counties.assign(x, y).codes == base).all(), i
    # float32 is widened: the same as widening first.
    f32 = counties.assign(lon.astype(np.float32), lat.astype(np.float32)).codes
    wide = counties.assign(lon.astype(np.float32).astype(np.float64), lat.astype(np.float32).astype(np.float64)).codes
    assert (f32 == wide).all()


def test_assign_outputs(counties):
    lon = np.array([-71.0589, -68.5, -122.3421])
    lat = np.array([42.3601, 42.8, 47.6097])
    a = counties.assign(lon, lat)
    ids = a.to_numpy()
    assert ids[1] is None and ids[0] is not None
    s = a.to_pandas()
    assert isinstance(s.dtype, pd.CategoricalDtype)
    assert list(s.astype(object).where(s.notna(), None)) == list(ids)
    arr = pa.array(a)
    assert pa.types.is_dictionary(arr.type)
    assert arr.to_pylist() == list(ids)
    assert a.to_pyarrow().to_pylist() == list(ids)
    assert a.to_polars().to_list() == list(ids)


def test_assign_errors(counties):
    with pytest.raises(ch.InvalidValueError, match="length"):
        counties.assign(np.zeros(3), np.zeros(4))
    with pytest.raises(TypeError):
        counties.assign(["a", "b"], [1.0, 2.0])
    with pytest.raises(ch.ParseError, match="expected numbers"):
        counties.assign(pa.array(["a"]), pa.array([1.0]))
    # NaN and out-of-range points assign to nothing.
    a = counties.assign(np.array([np.nan, -71.0589]), np.array([42.0, 95.0]))
    assert list(a.codes) == [-1, -1]


def test_finder_from_geojson(counties, data_dir):
    assert len(counties) == len(counties.ids) > 3000
    fc = json.loads((data_dir / "us-counties.geojson").read_text())
    small = {"type": "FeatureCollection", "features": fc["features"][:10]}
    f = ch.ChapterFinder.from_geojson(small)
    assert len(f) <= 10
    lon, lat = -71.0589, 42.3601
    assert counties.lookup(lon, lat)
    assert counties.nearest(lon, lat, k=2)[0][1] == 0.0
    with pytest.raises(ch.ParseError, match="FeatureCollection"):
        ch.ChapterFinder.from_geojson({"type": "Feature"})
    with pytest.raises(ch.ParseError):
        ch.ChapterFinder.from_geojson("{nope")


def test_public_view(network):
    view = network.public_view()
    assert view["type"] == "FeatureCollection"
    f = ch.ChapterFinder.from_geojson(view)
    assert f.lookup(-71.0589, 42.3601)[0] == "ch-boston"
