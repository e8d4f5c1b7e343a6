"""``python -m skneural``: a short training run on scikit-learn's bundled digits."""

import time


def demo():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from skneural import Adam, NeuralNetwork

    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, stratify=y, random_state=0)
    scaler = StandardScaler().fit(x_train)
    x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)

    net = NeuralNetwork([64, 64, 10], "relu", "softmax", "categorical_crossentropy",
                        Adam(learning_rate=0.01), random_state=0)
    print(f"{net!r}\nTraining on {len(x_train)} digits (8x8 images, 10 classes)")
    start = time.perf_counter()
    history = net.fit(x_train, y_train, batch_size=32, epochs=15, categorical=True, verbose=True)
    elapsed = time.perf_counter() - start
    accuracy = net.score(x_test, y_test, accuracy=True)
    print(f"Trained in {elapsed:.2f} s; loss {history[0]:.4f} -> {history[-1]:.4f}")
    print(f"Held-out accuracy on {len(x_test)} digits: {accuracy:.2%}")
    return accuracy


if __name__ == "__main__":
    demo()
