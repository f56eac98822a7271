#!/usr/bin/python3
"""tfidf-lr.py TRAIN DEV PATH: the strongest simple linear baseline.

TF-IDF of word 1-2-grams and character 2-5-grams (within word bounds),
logistic regression (scikit-learn, lbfgs, C=10 picked once on the dev
splits), trained on TRAIN and scored on DEV; the label is at the dotted
PATH of each JSON line.  Prints: macro-F1 accuracy train-seconds
predict-seconds.
"""
import json
import sys
import time

from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score


def load(path, dotted):
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            v = rec
            for k in dotted.split("."):
                v = v.get(k) if isinstance(v, dict) else None
            if v is None:
                continue
            texts.append(rec.get("text") or "")
            labels.append(str(v))
    return texts, labels


def main():
    train, dev, dotted = sys.argv[1:4]
    xt, yt = load(train, dotted)
    xd, yd = load(dev, dotted)
    t0 = time.time()
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                            sublinear_tf=True)
    mt = hstack([words.fit_transform(xt), chars.fit_transform(xt)]).tocsr()
    clf = LogisticRegression(C=10, max_iter=2000)
    clf.fit(mt, yt)
    t1 = time.time()
    md = hstack([words.transform(xd), chars.transform(xd)]).tocsr()
    pred = clf.predict(md)
    t2 = time.time()
    print("%.4f %.4f %.2f %.2f" % (f1_score(yd, pred, average="macro"),
                                   accuracy_score(yd, pred), t1 - t0, t2 - t1))


main()
