"""load_table reads CSV/Parquet, keeps labels and categorical columns, refuses bad files clearly."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from torchbalance.datasets import Table, describe_labels, load_table
from torchbalance.exceptions import DataValidationError, InvalidParameterError

KEEL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "keel"

CSV = "weight,colour,height,kind\n4.1,black,20,cat\n30.5,brown,60,dog\n3.8,,25,cat\n"


@pytest.fixture
def pets(tmp_path: Path) -> Path:
    path = tmp_path / "pets.csv"
    path.write_text(CSV)
    return path


def test_csv_with_string_labels_and_a_categorical_column(pets):
    table = load_table(pets, target="kind")
    assert isinstance(table, Table)
    assert table.y.tolist() == ["cat", "dog", "cat"] and table.y.name == "kind"
    assert list(table.X.columns) == ["weight", "colour", "height"]
    assert table.categorical_columns == ["colour"]
    assert table.target == "kind" and table.path == pets and table.encode is None
    X, y = table
    assert X is table.X and y is table.y
    assert "categorical_columns=['colour']" in repr(table)


def test_categorical_columns_are_refused_by_name_for_numeric_use(pets):
    table = load_table(pets, target="kind")
    with pytest.raises(DataValidationError, match=r"columns \['colour'\] .* encode='onehot'"):
        table.to_tensors()


def test_onehot_encoding(pets):
    table = load_table(pets, target="kind", encode="onehot")
    assert list(table.X.columns) == [
        "weight",
        "height",
        "colour_black",
        "colour_brown",
        "colour_nan",  # the missing colour is a category of its own, not silently dropped
    ]
    assert table.X["colour_nan"].tolist() == [0, 0, 1]
    assert table.categorical_columns == ["colour"] and table.encode == "onehot"
    X, y, classes = table.to_tensors()
    assert X.dtype == torch.float32 and X.shape == (3, 5)
    assert y.tolist() == [0, 1, 0] and classes.tolist() == ["cat", "dog"]
    assert table.to_tensors(dtype=torch.float64)[0].dtype == torch.float64


def test_numeric_table_to_tensors_mixed_bool_and_float(tmp_path):
    path = tmp_path / "flags.csv"
    path.write_text("a,flag,label\n1.5,True,0\n2.5,False,1\n")
    X, y, classes = load_table(path, target="label").to_tensors()
    assert X.tolist() == [[1.5, 1.0], [2.5, 0.0]] and y.tolist() == [0, 1]
    assert classes.tolist() == [0, 1]


def test_parquet_tsv_and_compressed_csv(tmp_path):
    frame = pd.DataFrame({"x": [0.5, 1.5, 2.5, 3.5], "label": ["a", "b", "a", "a"]})
    frame.to_parquet(tmp_path / "t.parquet")
    (tmp_path / "t.tsv").write_text("x\tlabel\n0.5\ta\n1.5\tb\n")
    with gzip.open(tmp_path / "t.csv.gz", "wt") as handle:
        handle.write("x,label\n0.5,1\n1.5,2\n")
    parquet = load_table(tmp_path / "t.parquet", target="label")
    assert parquet.y.tolist() == ["a", "b", "a", "a"] and parquet.X["x"].tolist()[-1] == 3.5
    assert load_table(tmp_path / "t.tsv", target="label").y.tolist() == ["a", "b"]
    compressed = load_table(str(tmp_path / "t.csv.gz"), target="label")
    assert compressed.y.tolist() == [1, 2] and compressed.y.dtype == np.int64
    semicolon = tmp_path / "semi.csv"
    semicolon.write_text("x;label\n1;a\n2;b\n")
    assert load_table(semicolon, target="label", sep=";").y.tolist() == ["a", "b"]


def test_integral_float_labels_become_int(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("x,label\n1,0.0\n2,1.0\n")
    assert load_table(path, target="label").y.dtype == np.int64


@pytest.mark.parametrize(
    ("name", "content", "kwargs", "match"),
    [
        ("nofile.csv", None, {}, r"no such file: '.*nofile.csv'"),
        ("data.xlsx", "x", {}, r"cannot tell the format of .*'\.xlsx'; supported: .csv"),
        ("data", "x", {}, r"extension '\(none\)'"),
        ("empty.csv", "", {}, "is empty; it has no header row"),
        ("header.csv", "x,label\n", {}, "has a header but no rows"),
        (
            "typo.csv",
            "x,Label,lab\n1,a,b\n",
            {"target": "label"},
            r"no column 'label' in .*did you mean 'Label'\?\); the columns are \['x', 'Label'",
        ),
        (
            "close.csv",
            "x,labels\n1,a\n",
            {"target": "label"},
            r"did you mean 'labels'\?",
        ),
        (
            "nan.csv",
            "x,label\n1,a\n2,\n3,b\n4,\n",
            {},
            r"2 of 4 rows of .* have no label in column 'label' \(rows 1, 3, counting",
        ),
        ("one.csv", "x,label\n1,a\n2,a\n", {}, r"holds a single class \('a'\)"),
        ("one_int.csv", "x,label\n1,3\n2,3\n", {}, r"holds a single class \(3\)"),
        ("float.csv", "x,label\n1,0.5\n2,1.0\n", {}, r"non-integer numbers such as \[0.5\]"),
        ("ragged.csv", 'x,label\n1,a\n2,b,3,4\n"5,c\n', {}, "cannot read .* as CSV"),
        # R's write.table row names: the first column was read as the index and lost
        ("rownames.csv", "a,label\n10,1,x\n20,2,y\n", {}, r"have 1 field\(s\) more than"),
        ("trailing.csv", "a,label\n1,x,\n2,y,\n", {}, r"ends with a separator"),
        ("bad.parquet", "not parquet at all", {}, "cannot read .* as PARQUET"),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path, name, content, kwargs, match):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(DataValidationError, match=match) as info:
        load_table(path, **{"target": "label", **kwargs})
    assert "\n" not in str(info.value)


def test_binary_garbage_and_directories(tmp_path):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DataValidationError, match="cannot read"):
        load_table(garbage, target="label")
    with pytest.raises(DataValidationError, match="is a directory"):
        load_table(tmp_path / ".." / tmp_path.name / ".", target="label")


def test_bad_parameters(pets):
    with pytest.raises(InvalidParameterError, match="encode='ordinal' is invalid"):
        load_table(pets, target="kind", encode="ordinal")
    with pytest.raises(InvalidParameterError, match="target=3 is invalid"):
        load_table(pets, target=3)
    with pytest.raises(InvalidParameterError, match="path=None is invalid"):
        load_table(None, target="kind")


@pytest.mark.skipif(not KEEL.is_dir(), reason="the KEEL data sets are not beside the repository")
def test_keel_files_read_as_binary_tables():
    files = sorted(KEEL.glob("*.csv"))
    assert files
    for path in files:
        table = load_table(path, target="label")
        assert set(table.y.unique().tolist()) == {0, 1}, path.name
        assert table.categorical_columns == [], path.name
        expected = pd.read_csv(path)["label"].value_counts().sort_index().tolist()
        assert describe_labels(table.y).counts == expected, path.name


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["1", "01", "1", "01"], ["1", "01", "1", "01"]),  # two classes, not one
        (["NA", "None", "null", "x"], ["NA", "None", "null", "x"]),  # labels, not missing
        (["True", "False", "True", "False"], ["True", "False", "True", "False"]),
        (["inf", "1", "2", "inf"], ["inf", "1", "2", "inf"]),
        (["0", "1", "0", "-1"], [0, 1, 0, -1]),
        (["0.0", "1.0", "0.0", "1.0"], [0, 1, 0, 1]),
    ],
)
def test_csv_labels_are_read_as_written(tmp_path, labels, expected):
    path = tmp_path / "t.csv"
    path.write_text("x,label\n" + "".join(f"{i},{v}\n" for i, v in enumerate(labels)))
    assert load_table(path, target="label").y.tolist() == expected


def test_one_hot_columns_are_named(pets):
    table = load_table(pets, target="kind", encode="onehot")
    assert table.one_hot_columns == list(table.X.columns[2:])
    assert all(name.startswith("colour_") for name in table.one_hot_columns)
    assert load_table(pets, target="kind").one_hot_columns == []


def test_labels_that_differ_only_by_spaces_warn(tmp_path):
    path = tmp_path / "spaces.csv"
    path.write_text("a,label\n1,yes\n2,yes \n3,no\n4,no\n")
    with pytest.warns(UserWarning, match=r"differ only by surrounding spaces.*'yes', 'yes '"):
        table = load_table(path, target="label")
    assert table.y.tolist() == ["yes", "yes ", "no", "no"]  # still read as written


def test_one_hot_names_that_clash_with_other_columns_are_refused(tmp_path):
    path = tmp_path / "clash.csv"
    path.write_text("c_x,c,y\n1.0,x,0\n2.0,z,1\n3.0,x,0\n")
    with pytest.raises(
        DataValidationError, match=r"one-hot encoding makes columns named \['c_x'\]"
    ):
        load_table(path, target="y", encode="onehot")
    path.write_text("a,c,c_x\n1.0,x,0\n2.0,z,1\n3.0,x,0\n")
    with pytest.raises(DataValidationError, match="or the target"):
        load_table(path, target="c_x", encode="onehot")


def test_nested_values_and_oversized_integer_labels_are_refused(tmp_path):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "tags": [[1], [2], [3]], "y": [0, 1, 0]})
    path = tmp_path / "nested.parquet"
    frame.to_parquet(path)
    with pytest.raises(DataValidationError, match="column 'tags' .* holds .* values"):
        load_table(path, target="y")
    big = tmp_path / "big.csv"
    big.write_text(f"a,y\n1.0,{2**70}\n2.0,1\n3.0,1\n")
    with pytest.raises(DataValidationError, match="beyond int64"):
        load_table(big, target="y")


def test_negative_zero_labels_stay_their_own_class(tmp_path):
    path = tmp_path / "zeros.csv"
    path.write_text("a,y\n1,0\n2,-0\n3,0\n4,1\n")
    assert load_table(path, target="y").y.tolist() == ["0", "-0", "0", "1"]
    path.write_text("a,y\n1,0.0\n2,-0.0\n3,1.0\n")
    assert load_table(path, target="y").y.nunique() == 3


def test_duplicate_column_names_are_refused_not_renamed(tmp_path):
    # pandas would read the second "a" as "a.1": a column the user never named
    path = tmp_path / "twice.csv"
    path.write_text("a,b,a,y\n1,2,3,0\n4,5,6,1\n")
    with pytest.raises(DataValidationError, match=r"more than one column named \['a'\]"):
        load_table(path, target="y")
    honest = tmp_path / "dotted.csv"  # a column really named "a.1" is not a duplicate
    honest.write_text("a,a.1,y\n1,2,0\n3,4,1\n")
    assert list(load_table(honest, target="y").X.columns) == ["a", "a.1"]


def test_an_unnamed_index_column_warns(tmp_path):
    path = tmp_path / "indexed.csv"
    pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": [0, 1, 0]}).to_csv(path)  # index=True
    with pytest.warns(UserWarning, match=r"no name \(read as 'Unnamed: 0'\).*index_col"):
        table = load_table(path, target="y")
    assert list(table.X.columns) == ["Unnamed: 0", "a"]  # kept, not dropped behind your back


def test_sep_is_for_csv_files_only(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text("a;b;y\n1.5;2;0\n3;4;1\n")
    assert list(load_table(path, target="y", sep=";").X.columns) == ["a", "b"]
    pytest.importorskip("pyarrow")
    parquet = tmp_path / "t.parquet"
    pd.DataFrame({"a": [1.0, 2.0], "y": [0, 1]}).to_parquet(parquet)
    with pytest.raises(InvalidParameterError, match="sep=';' applies to CSV and TSV files"):
        load_table(parquet, target="y", sep=";")
