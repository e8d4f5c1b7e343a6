"""The engine on its own, in the two styles skneural grew from, on MNIST (or the bundled digits).

The sizes style: ``NeuralNetwork`` built from layer sizes, with the activations, loss
and optimizer passed in.  The layer-list style: a list of layers composed by hand,
``[Dense, Tanh, Dense, Softmax]``, trained with the mean squared error and
plain SGD one sample at a time.  MNIST comes from OpenML through
scikit-learn's ``fetch_openml`` (downloaded once, then cached); when it cannot
be downloaded the script says so and uses scikit-learn's bundled 8x8 digits.

    python examples/seed_styles.py                 # MNIST, or digits when offline
    python examples/seed_styles.py --digits --epochs 5
"""

import argparse

from sklearn.datasets import fetch_openml, load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skneural import SGD, Adam, NeuralNetwork, check_gradients
from skneural.layers import Dense, Softmax, Tanh


def load(dataset="mnist", n_train=10000, n_test=2000):
    """``(x_train, x_test, y_train, y_test, name)``: MNIST, or digits when asked or when MNIST cannot be had."""
    if dataset == "mnist":
        try:
            x, y = fetch_openml("mnist_784", version=1, return_X_y=True, as_frame=False)
            x_train, x_test, y_train, y_test = x[:60000], x[60000:], y[:60000], y[60000:]
            return (x_train[:n_train] / 255, x_test[:n_test] / 255, y_train[:n_train].astype(int),
                    y_test[:n_test].astype(int), "MNIST")
        except OSError as exc:  # no network, or OpenML unreachable
            print(f"MNIST could not be downloaded ({exc}); using scikit-learn's bundled digits instead.")
    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(x_train)
    return scaler.transform(x_train), scaler.transform(x_test), y_train, y_test, "digits"


def main(epochs=10, dataset="mnist", n_train=10000):
    x_train, x_test, y_train, y_test, name = load(dataset, n_train)
    n_inputs = x_train.shape[1]
    print(f"{name}: {len(x_train)} training and {len(x_test)} test images of {n_inputs} pixels")

    # The sizes style: sizes of the layers, then activations, loss and optimizer passed in.
    net = NeuralNetwork([n_inputs, 64, 10], "relu", "softmax", "categorical_crossentropy",
                        Adam(learning_rate=0.005), random_state=0)
    print("gradient check, worst relative error:",
          f"{check_gradients(net, x_train[:20], y_train[:20], categorical=True):.1e}")
    net.fit(x_train, y_train, batch_size=32, epochs=epochs, categorical=True)
    seed000 = net.score(x_test, y_test, accuracy=True)
    print(f"NeuralNetwork([{n_inputs}, 64, 10]), relu/softmax/cross-entropy/Adam: {seed000:.2%} held out")

    # The layer-list style: a list of layers, tanh then softmax, mean squared error, plain SGD on single samples.
    layers = [Dense(n_inputs, 40, random_state=0), Tanh(), Dense(40, 10, random_state=1), Softmax()]
    net = NeuralNetwork(layers, loss="mse", optimizer=SGD(learning_rate=0.1, momentum=0.0), random_state=0)
    scale = 1 if name == "MNIST" else 4  # standardised digits are larger than MNIST's [0, 1] pixels
    net.fit(x_train / scale, y_train, batch_size=1, epochs=max(1, epochs // 2), categorical=True)
    seed001 = net.score(x_test / scale, y_test, accuracy=True)
    print(f"[Dense({n_inputs}, 40), Tanh(), Dense(40, 10), Softmax()] with mse and SGD: {seed001:.2%} held out")
    return seed000, seed001, name


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--digits", action="store_true", help="use the bundled digits, not MNIST")
    parser.add_argument("--n-train", type=int, default=10000, help="MNIST training images to use")
    parser.add_argument("--quick", action="store_true", help="two epochs on the bundled digits")
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.digits = 2, True
    main(args.epochs, "digits" if args.digits else "mnist", args.n_train)
